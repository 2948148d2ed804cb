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
)
