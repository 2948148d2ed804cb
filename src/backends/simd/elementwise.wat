;; Elementwise float32 kernels with 128-bit SIMD for the Dense stack's BLAS steps
;; (../blas/dense-step.ts), on buffers in the memory this module imports.
;; Compiled by scripts/build-wasm.mjs (wabt) into elementwise-wasm.ts; a test checks the two agree.
(module
  (import "env" "memory" (memory 1))

  ;; relu in place on n floats at byte offset p: x < 0 ? 0 : x (pmax: NaN stays NaN)
  (func (export "relu") (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $vec
        (br_if $done (i32.gt_u (i32.add (local.get $p) (i32.const 16)) (local.get $end)))
        (v128.store (local.get $p)
          (f32x4.pmax (v128.load (local.get $p)) (v128.const f32x4 0 0 0 0)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $vec)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $p) (local.get $end)))
        (f32.store (local.get $p)
          (select (f32.const 0) (f32.load (local.get $p)) (f32.lt (f32.load (local.get $p)) (f32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $tail))))

  ;; relu's derivative applied to a gradient, in place: d ← a > 0 ? d : 0 (n floats; d, a byte offsets)
  (func (export "reluMask") (param $d i32) (param $a i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $d) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $vec
        (br_if $done (i32.gt_u (i32.add (local.get $d) (i32.const 16)) (local.get $end)))
        (v128.store (local.get $d)
          (v128.and (v128.load (local.get $d))
            (f32x4.gt (v128.load (local.get $a)) (v128.const f32x4 0 0 0 0))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (br $vec)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $d) (local.get $end)))
        (f32.store (local.get $d)
          (select (f32.load (local.get $d)) (f32.const 0) (f32.gt (f32.load (local.get $a)) (f32.const 0))))
        (local.set $d (i32.add (local.get $d) (i32.const 4)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br $tail))))
;; dst ← p0 + c1·p1 (+ c2·p2 when two) then relu when act = 1 (n floats; byte offsets):
  ;; the first layer's pre-activation at a point of a line or plane, in one pass
  (func (export "lincomb") (param $dst i32) (param $p0 i32) (param $p1 i32) (param $c1 f32)
        (param $p2 i32) (param $c2 f32) (param $two i32) (param $act i32) (param $n i32)
    (local $end i32) (local $v v128) (local $k1 v128) (local $k2 v128) (local $x f32)
    (local.set $end (i32.add (local.get $dst) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $k1 (f32x4.splat (local.get $c1)))
    (local.set $k2 (f32x4.splat (local.get $c2)))
    (block $done
      (loop $vec
        (br_if $done (i32.gt_u (i32.add (local.get $dst) (i32.const 16)) (local.get $end)))
        (local.set $v (f32x4.add (v128.load (local.get $p0)) (f32x4.mul (local.get $k1) (v128.load (local.get $p1)))))
        (if (local.get $two)
          (then (local.set $v (f32x4.add (local.get $v) (f32x4.mul (local.get $k2) (v128.load (local.get $p2)))))))
        (if (local.get $act)
          (then (local.set $v (f32x4.pmax (local.get $v) (v128.const f32x4 0 0 0 0)))))
        (v128.store (local.get $dst) (local.get $v))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 16)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 16)))
        (local.set $p2 (i32.add (local.get $p2) (i32.const 16)))
        (br $vec)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $dst) (local.get $end)))
        (local.set $x (f32.add (f32.load (local.get $p0)) (f32.mul (local.get $c1) (f32.load (local.get $p1)))))
        (if (local.get $two)
          (then (local.set $x (f32.add (local.get $x) (f32.mul (local.get $c2) (f32.load (local.get $p2)))))))
        (if (local.get $act)
          (then (local.set $x (select (f32.const 0) (local.get $x) (f32.lt (local.get $x) (f32.const 0))))))
        (f32.store (local.get $dst) (local.get $x))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
        (local.set $p2 (i32.add (local.get $p2) (i32.const 4)))
        (br $tail))))

  ;; a[r, j] ← a[r, j] + b[j], then relu when act = 1 (rows × units floats; byte offsets)
  (func (export "biasAct") (param $a i32) (param $b i32) (param $rows i32) (param $units i32) (param $act i32)
    (local $r i32) (local $j i32) (local $p i32) (local $v v128) (local $x f32)
    (local.set $p (local.get $a))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $j (i32.const 0))
        (block $vec_done
          (loop $vec
            (br_if $vec_done (i32.gt_u (i32.add (local.get $j) (i32.const 4)) (local.get $units)))
            (local.set $v (f32x4.add (v128.load (local.get $p)) (v128.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
            (if (local.get $act)
              (then (local.set $v (f32x4.pmax (local.get $v) (v128.const f32x4 0 0 0 0)))))
            (v128.store (local.get $p) (local.get $v))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $vec)))
        (block $tail_done
          (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $j) (local.get $units)))
            (local.set $x (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
            (if (local.get $act)
              (then (local.set $x (select (f32.const 0) (local.get $x) (f32.lt (local.get $x) (f32.const 0))))))
            (f32.store (local.get $p) (local.get $x))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $row))))
)
