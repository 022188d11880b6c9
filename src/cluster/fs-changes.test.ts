import { describe, expect, it } from 'vitest';
import { FS_TOPIC_PREFIX, FsChangeBroadcaster, parseFsTopic } from './fs-changes.js';

describe('FsChangeBroadcaster', () => {
  function capture() {
    const sent: string[] = [];
    const b = new FsChangeBroadcaster(async (t) => {
      sent.push(t);
      return true;
    }, 10_000);
    return { b, sent };
  }

  it('gathers changes into one notice: one entry per folder, a tree change winning', async () => {
    const { b, sent } = capture();
    for (let i = 0; i < 1000; i++) b.changed({ storageId: 3, rel: 'uploads', tree: false });
    b.changed({ storageId: 3, rel: 'old', tree: false });
    b.changed({ storageId: 3, rel: 'old', tree: true });
    b.changed({ storageId: 4, rel: 'uploads', tree: false });
    expect(sent).toEqual([]);
    await b.flush();
    expect(sent).toHaveLength(1);
    const notice = parseFsTopic(sent[0] ?? '');
    expect(notice?.instance).toBe(b.instance);
    expect(notice?.changes).toEqual([
      { storageId: 3, rel: 'uploads', tree: false },
      { storageId: 3, rel: 'old', tree: true },
      { storageId: 4, rel: 'uploads', tree: false },
    ]);
    await b.flush();
    expect(sent).toHaveLength(1);
  });

  it("splits notices under PostgreSQL's payload limit, and a path too long to share one stands for its storage", async () => {
    const { b, sent } = capture();
    for (let i = 0; i < 500; i++) b.changed({ storageId: 1, rel: `folder ${i} ${'é'.repeat(20)}`, tree: false });
    b.changed({ storageId: 2, rel: 'x/'.repeat(3000), tree: false });
    await b.flush();
    expect(sent.length).toBeGreaterThan(1);
    for (const t of sent) expect(Buffer.byteLength(t)).toBeLessThan(8000);
    const all = sent.flatMap((t) => parseFsTopic(t)?.changes ?? []);
    expect(all).toHaveLength(501);
    expect(all.at(-1)).toEqual({ storageId: 2, rel: '', tree: true });
  });

  it('sends on its own after the delay', async () => {
    const sent: string[] = [];
    const b = new FsChangeBroadcaster(async (t) => {
      sent.push(t);
      return true;
    }, 5);
    b.changed({ storageId: 1, rel: '', tree: false });
    await new Promise((r) => setTimeout(r, 50));
    expect(sent).toHaveLength(1);
  });
});

describe('parseFsTopic', () => {
  it('reads only well-formed notices', () => {
    expect(parseFsTopic('storages')).toBeUndefined();
    expect(parseFsTopic(`${FS_TOPIC_PREFIX}not json`)).toBeUndefined();
    expect(parseFsTopic(`${FS_TOPIC_PREFIX}{"i":1,"c":[]}`)).toBeUndefined();
    expect(parseFsTopic(`${FS_TOPIC_PREFIX}{"i":"x","c":[[1,"a",1],["bad"],[2,"b",0]]}`)).toEqual({
      instance: 'x',
      changes: [
        { storageId: 1, rel: 'a', tree: true },
        { storageId: 2, rel: 'b', tree: false },
      ],
    });
  });
});
