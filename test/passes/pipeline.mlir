// act-optimize is the pipeline behind `actc --emit=mlir-opt`: derivatives,
// then calls inlined, private callees dropped, constants folded.
// RUN: act-opt %s -act-optimize | FileCheck %s

act.activation private @double(%x: f32) {
  %c = act.constant 2.0 : f32
  %0 = arith.mulf %c, %x : f32
  act.return %0 : f32
}

// CHECK-NOT:   @double(
// CHECK-LABEL: act.activation @quadruple(%x: f32) {
// CHECK-NEXT:    %[[C:.*]] = act.constant 2.000000e+00 : f32
// CHECK-NEXT:    %[[A:.*]] = arith.mulf %[[C]], %x : f32
// CHECK-NEXT:    %[[B:.*]] = arith.mulf %[[C]], %[[A]] : f32
// CHECK-NEXT:    act.return %[[B]] : f32
// CHECK:       act.activation @quadruple.d_x(%x: f32) attributes {derivative_of = "quadruple", wrt = "x"} {
// CHECK-NEXT:    %[[D:.*]] = act.constant 4.000000e+00 : f32
// CHECK-NEXT:    act.return %[[D]] : f32
act.activation @quadruple(%x: f32) {
  %0 = act.call @double(%x) : (f32) -> f32
  %1 = act.call @double(%0) : (f32) -> f32
  act.return %1 : f32
}
