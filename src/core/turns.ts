/**
 * Hands out turns of the event loop, one at a time and in order: each waiter resumes in a loop
 * turn of its own, with I/O (an incoming request, a listening socket) handled in between. Mounts
 * take one each for the synchronous part of opening (parsing options, building the driver), so a
 * server starting a hundred mounts goes on answering while it does.
 */
export class Turns {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Resolves in a later turn of the event loop, after those asked for before. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      // The waiter's continuation runs in this turn's microtasks; the next waiter gets the next turn.
      this.waiting.shift()?.();
      if (this.waiting.length > 0) this.schedule();
    });
  }
}
