// act-fold folds constant subexpressions in double precision: 0.1 + 0.2 is
// the double 0.30000000000000004, rounded to f32 once, when lowered. Tests
// (i1) fold as well.
// RUN: act-opt %s -act-fold | FileCheck %s

// CHECK-LABEL: act.activation @sum
// CHECK-NEXT:    %[[C:.*]] = act.constant 0.30000000000000004 : f32
// CHECK-NEXT:    %[[Y:.*]] = arith.addf %x, %[[C]] : f32
// CHECK-NEXT:    act.return %[[Y]] : f32
act.activation @sum(%x: f32) {
  %a = act.constant 0.1 : f32
  %b = act.constant 0.2 : f32
  %0 = arith.addf %a, %b : f32
  %1 = arith.addf %x, %0 : f32
  act.return %1 : f32
}

// CHECK-LABEL: act.activation @chosen
// CHECK-NEXT:    act.return %x : f32
act.activation @chosen(%x: f32) {
  %one = act.constant 1.0 : f32
  %two = act.constant 2.0 : f32
  %c = arith.cmpf olt, %one, %two : f32
  %0 = act.select %c, %x, %one : f32
  act.return %0 : f32
}
