// act-combine applies ActCombine.td's rewrites, each exact in IEEE float32
// for every input, and nothing else: x + 0 stays (wrong for x = -0), x * 0
// stays (wrong for inf and NaN).
// RUN: act-opt %s -act-combine | FileCheck %s

// CHECK-LABEL: act.activation @exact
// CHECK-NEXT:    %[[S:.*]] = arith.subf %x, %x : f32
// CHECK-NEXT:    %[[Q:.*]] = arith.mulf %[[S]], %[[S]] : f32
// CHECK-NEXT:    act.return %[[Q]] : f32
act.activation @exact(%x: f32) {
  %one = act.constant 1.0 : f32
  %two = act.constant 2.0 : f32
  %0 = arith.mulf %x, %one : f32
  %1 = arith.negf %x : f32
  %2 = arith.addf %0, %1 : f32
  %3 = math.powf %2, %two : f32
  act.return %3 : f32
}

// CHECK-LABEL: act.activation @inexact
// CHECK:         arith.addf %x, %{{.*}} : f32
// CHECK:         arith.mulf %{{.*}}, %{{.*}} : f32
act.activation @inexact(%x: f32) {
  %zero = act.constant 0.0 : f32
  %0 = arith.addf %x, %zero : f32
  %1 = arith.mulf %0, %zero : f32
  act.return %1 : f32
}
