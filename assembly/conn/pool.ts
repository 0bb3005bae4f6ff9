/**
 * Connection slots, allocated in slabs and recycled through a free list. Slots are never returned to the
 * general heap, so a timer that outlived its connection still reads a Connection (whose serial no longer
 * matches) rather than foreign memory.
 */
import { Connection, connectionBytes } from './connection';

const SLAB: u32 = 1024;
let freeList: usize = 0;
let serialCounter: u32 = 0;

export function allocConnection(): Connection {
  if (freeList == 0) {
    const size = connectionBytes();
    const slab = heap.alloc(size * <usize>SLAB);
    // Thread the new slots onto the free list in address order.
    for (let i: i32 = <i32>SLAB - 1; i >= 0; i--) {
      const slot = slab + <usize>i * size;
      store<u32>(slot + offsetof<Connection>('serial'), 0);
      store<usize>(slot + offsetof<Connection>('nextFree'), freeList);
      freeList = slot;
    }
  }
  const slot = freeList;
  freeList = load<usize>(slot + offsetof<Connection>('nextFree'));
  memory.fill(slot, 0, connectionBytes());
  const c = changetype<Connection>(slot);
  serialCounter++;
  if (serialCounter == 0) serialCounter = 1;
  c.serial = serialCounter;
  return c;
}

export function freeConnection(c: Connection): void {
  c.serial = 0;
  c.nextFree = freeList;
  freeList = changetype<usize>(c);
}
