// act.activation's custom assembly (printActivationOp / parseActivationOp)
// reads back what it prints: the visibility, learnable parameters with their
// defaults, the declared attributes (doc, derivative_of, wrt).
// RUN: act-opt %s | act-opt | FileCheck %s

// CHECK-LABEL: act.activation private @affine(%x: f32, %a: f32 = 2.000000e+00, learn %b: f32 = 1.000000e+00) attributes {doc = "a * x + b"} {
// CHECK-NEXT:    %[[AX:.*]] = arith.mulf %a, %x : f32
// CHECK-NEXT:    %[[Y:.*]] = arith.addf %[[AX]], %b : f32
// CHECK-NEXT:    act.return %[[Y]] : f32
act.activation private @affine(%x: f32, %a: f32 = 2.0, learn %b: f32 = 1.0) attributes {doc = "a * x + b"} {
  %0 = arith.mulf %a, %x : f32
  %1 = arith.addf %0, %b : f32
  act.return %1 : f32
}

// CHECK-LABEL: act.activation @affine.d_x(%x: f32, %a: f32 = 2.000000e+00, learn %b: f32 = 1.000000e+00) attributes {derivative_of = "affine", wrt = "x"} {
// CHECK-NEXT:    act.return %a : f32
act.activation @affine.d_x(%x: f32, %a: f32 = 2.0, learn %b: f32 = 1.0) attributes {derivative_of = "affine", wrt = "x"} {
  act.return %a : f32
}
