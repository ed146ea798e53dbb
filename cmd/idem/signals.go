package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// signalContext returns a context that is cancelled, with an
// interruptedError as its cause, on the first SIGINT or SIGTERM. The first
// signal does not kill the process: a command sees the cancelled context
// between steps, lets a write in progress finish (writes are short and leave
// no temporary file), and returns context.Cause(ctx), which main maps to the
// exit status 130 or 143. A second signal has the default action (the
// process dies), so a user can always force an exit.
func signalContext() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			cancel(interruptedError{sig})
			// A second signal gets the default action: the user can
			// always force an exit from a long uninterruptible phase.
			signal.Reset(os.Interrupt, syscall.SIGTERM)
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(ch)
		cancel(nil)
	}
}

// interrupted returns the cause of ctx once it is done, else nil.
func interrupted(ctx context.Context) error {
	if ctx.Err() == nil {
		return nil
	}
	return context.Cause(ctx)
}
