// act-differentiate adds, after each activation f, f.d_x and f.d_p for each
// learnable parameter p, marked with derivative_of and wrt; a derivative
// already there (from a grad clause) is kept.
// RUN: act-opt %s -act-differentiate | FileCheck %s

// CHECK-LABEL: act.activation @affine(
// CHECK:       act.activation @affine.d_x(%x: f32, %a: f32 = 2.000000e+00, learn %b: f32 = 1.000000e+00) attributes {derivative_of = "affine", wrt = "x"}
// CHECK:       act.activation @affine.d_b(%x: f32, %a: f32 = 2.000000e+00, learn %b: f32 = 1.000000e+00) attributes {derivative_of = "affine", wrt = "b"}
// CHECK-NOT:   @affine.d_a
act.activation @affine(%x: f32, %a: f32 = 2.0, learn %b: f32 = 1.0) {
  %0 = arith.mulf %a, %x : f32
  %1 = arith.addf %0, %b : f32
  act.return %1 : f32
}

// CHECK-LABEL: act.activation @given(
// CHECK:       act.activation @given.d_x(%x: f32) attributes {derivative_of = "given", wrt = "x"} {
// CHECK-NEXT:    %[[C:.*]] = act.constant 4.200000e+01 : f32
// CHECK-NEXT:    act.return %[[C]] : f32
act.activation @given(%x: f32) {
  act.return %x : f32
}
act.activation @given.d_x(%x: f32) attributes {derivative_of = "given", wrt = "x"} {
  %0 = act.constant 42.0 : f32
  act.return %0 : f32
}
