// act-inline replaces each act.call by the callee's body with the call's
// operands bound to its arguments; calls nested in callees go too.
// RUN: act-opt %s -act-inline | FileCheck %s

act.activation private @scale(%x: f32, %s: f32 = 2.0) {
  %0 = arith.mulf %s, %x : f32
  act.return %0 : f32
}

act.activation private @scale_twice(%x: f32) {
  %c = act.constant 3.0 : f32
  %0 = act.call @scale(%x, %c) : (f32, f32) -> f32
  %1 = act.call @scale(%0, %c) : (f32, f32) -> f32
  act.return %1 : f32
}

// CHECK-LABEL: act.activation @shifted
// CHECK-NOT:     act.call
// CHECK:         %[[C:.*]] = act.constant 3.000000e+00 : f32
// CHECK:         %[[A:.*]] = arith.mulf %[[C]], %y : f32
// CHECK:         %[[B:.*]] = arith.mulf %[[C]], %[[A]] : f32
// CHECK:         %[[R:.*]] = arith.addf %[[B]], %y : f32
// CHECK-NEXT:    act.return %[[R]] : f32
act.activation @shifted(%y: f32) {
  %0 = act.call @scale_twice(%y) : (f32) -> f32
  %1 = arith.addf %0, %y : f32
  act.return %1 : f32
}
