// The fiber switch of the CPU stand-in (runtime.cpp): saves the callee-saved registers and the SSE/x87
// control words of the running fiber on its stack, stores its stack pointer, and resumes the other.
// Hand-written because glibc's swapcontext makes a sigprocmask system call on every switch, and the
// stand-in switches at every __syncthreads of every thread.
//
//   void cimsim_switch(void** save_sp, void* resume_sp)
//   void cimsim_fiber_start(void)   first return address of a new fiber: calls cimsim_fiber_main(r12)
    .text
    .globl cimsim_switch
    .hidden cimsim_switch
    .type cimsim_switch, @function
cimsim_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size cimsim_switch, .-cimsim_switch

    .globl cimsim_fiber_start
    .hidden cimsim_fiber_start
    .type cimsim_fiber_start, @function
cimsim_fiber_start:
    movq %r12, %rdi
    call cimsim_fiber_main
    ud2
    .size cimsim_fiber_start, .-cimsim_fiber_start

    .section .note.GNU-stack,"",@progbits
