// The two-copy record: a torn save at any byte keeps the previous record, and a store that saves
// before it ever loaded still supersedes what is on flash (it used to restart at sequence 1).
import t from 'tap';
import { join } from 'node:path';
import { FlashMedium, PowerLoss } from '../../../simulator/device/flash-medium.ts';
import { RecordStore } from '../../../simulator/device/record-store.ts';
import { tempDir } from './headset-rig.ts';

const AT = { a: 0, b: 4096 };

t.test('a save cut at any byte leaves the previous record readable', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const file = join(dir, 'records.bin');
  let medium = new FlashMedium(file, 8192);
  new RecordStore(medium, AT, 4096).save({ n: 1 });
  new RecordStore(medium, AT, 4096).save({ n: 2 });
  medium.close();
  const next = { n: 3, pad: 'x'.repeat(40) };
  const length = 8 + JSON.stringify(next).length + 4;
  for (let cut = 0; cut < length; cut++) {
    medium = new FlashMedium(file, 8192);
    const store = new RecordStore<{ n: number }>(medium, AT, 4096);
    store.load();
    medium.cutAfterBytes = medium.written + cut;
    t.throws(() => store.save(next), PowerLoss);
    medium.close();
    medium = new FlashMedium(file, 8192);
    const back = new RecordStore<{ n: number }>(medium, AT, 4096).load();
    medium.close();
    if (back?.n !== 2) return t.fail(`cut after ${cut} of ${length} bytes: read back ${JSON.stringify(back)}`);
  }
  t.pass(`every cut in 0..${length - 1} keeps record 2`);
});

t.test('a save before any load supersedes the copies on flash', async (t) => {
  const { dir, cleanup } = tempDir();
  t.teardown(cleanup);
  const medium = new FlashMedium(join(dir, 'records.bin'), 8192);
  t.teardown(() => medium.close());
  const first = new RecordStore<{ n: number }>(medium, AT, 4096);
  for (let n = 1; n <= 3; n++) first.save({ n });
  new RecordStore<{ n: number }>(medium, AT, 4096).save({ n: 4 }); // a fresh store, never loaded
  t.same(new RecordStore(medium, AT, 4096).load(), { n: 4 });
});
