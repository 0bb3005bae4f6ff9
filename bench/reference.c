/*
 * The scale the speed target is set against: a C program that only parses headers and counts per connection.
 * Reads a little-endian classic pcap of Ethernet frames (802.1Q tags skipped) in 1 MiB blocks, takes each
 * IPv4 or IPv6 TCP packet's addresses and ports, and counts packets and bytes per direction-normalised 4-tuple
 * in an open-addressing table. No checksums, no TCP state, no timers, no output but one line:
 *
 *   PACKETS TCP_PACKETS CONNECTIONS SECONDS
 *
 * bench/run.ts compiles it with the system C compiler when there is one (`cc -O2`) and prints its rate beside
 * synack's. Built for the bench captures only; anything else is rejected.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  uint64_t a0, a1, b0, b1;
  uint32_t ports, used;
  uint64_t packets, bytes;
} Slot;

#define TABLE_SLOTS (1u << 21)
#define BLOCK (1u << 20)

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

static uint8_t block[BLOCK];

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: reference FILE.pcap\n"); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  Slot *table = calloc(TABLE_SLOTS, sizeof(Slot));
  if (!table) return 1;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);

  size_t have = fread(block, 1, BLOCK, f), off = 24;
  uint32_t magic, link;
  if (have < 24) { fprintf(stderr, "%s: not a pcap file\n", argv[1]); return 1; }
  memcpy(&magic, block, 4);
  memcpy(&link, block + 20, 4);
  if ((magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) || link != 1) {
    fprintf(stderr, "%s: only little-endian classic pcap of Ethernet frames\n", argv[1]);
    return 1;
  }
  uint64_t packets = 0, tcp = 0, conns = 0;
  for (;;) {
    uint32_t incl = 0;
    if (have - off >= 16) memcpy(&incl, block + off + 8, 4);
    if (have - off < 16 || have - off < 16 + (size_t)incl) {
      // Keep the partial record, refill behind it.
      if (incl > BLOCK - 16) { fprintf(stderr, "record of %u bytes\n", incl); return 1; }
      memmove(block, block + off, have - off);
      have -= off;
      off = 0;
      size_t n = fread(block + have, 1, BLOCK - have, f);
      if (n == 0) break;
      have += n;
      continue;
    }
    const uint8_t *p = block + off + 16;
    uint32_t len = incl;
    off += 16 + incl;
    packets++;
    if (len < 14) continue;
    uint32_t type = (p[12] << 8) | p[13], l2 = 14;
    while (type == 0x8100 && len >= l2 + 4) { type = (p[l2 + 2] << 8) | p[l2 + 3]; l2 += 4; }
    uint64_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    const uint8_t *t;
    if (type == 0x0800 && len >= l2 + 20) {
      const uint8_t *ip = p + l2;
      uint32_t ihl = (ip[0] & 15) * 4, s, d;
      if (ip[9] != 6 || len < l2 + ihl + 20) continue;
      memcpy(&s, ip + 12, 4);
      memcpy(&d, ip + 16, 4);
      a1 = s;
      b1 = d;
      t = ip + ihl;
    } else if (type == 0x86dd && len >= l2 + 60) {
      const uint8_t *ip = p + l2;
      if (ip[6] != 6) continue;
      memcpy(&a0, ip + 8, 8);
      memcpy(&a1, ip + 16, 8);
      memcpy(&b0, ip + 24, 8);
      memcpy(&b1, ip + 32, 8);
      t = ip + 40;
    } else {
      continue;
    }
    tcp++;
    uint32_t sp = (t[0] << 8) | t[1], dp = (t[2] << 8) | t[3];
    // Both directions of a connection share one slot: the smaller endpoint first.
    if (a0 > b0 || (a0 == b0 && (a1 > b1 || (a1 == b1 && sp > dp)))) {
      uint64_t x = a0; a0 = b0; b0 = x;
      x = a1; a1 = b1; b1 = x;
      uint32_t y = sp; sp = dp; dp = y;
    }
    uint32_t ports = (sp << 16) | dp;
    uint64_t h = mix(a0 ^ mix(a1 ^ mix(b0 ^ mix(b1 ^ ports)))) & (TABLE_SLOTS - 1);
    for (;;) {
      Slot *s = &table[h];
      if (!s->used) {
        if (conns == TABLE_SLOTS / 2) { fprintf(stderr, "more than %u connections\n", TABLE_SLOTS / 2); return 1; }
        *s = (Slot){ a0, a1, b0, b1, ports, 1, 0, 0 };
        conns++;
      }
      if (s->a0 == a0 && s->a1 == a1 && s->b0 == b0 && s->b1 == b1 && s->ports == ports) {
        s->packets++;
        s->bytes += len;
        break;
      }
      h = (h + 1) & (TABLE_SLOTS - 1);
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("%llu %llu %llu %.6f\n", (unsigned long long)packets, (unsigned long long)tcp, (unsigned long long)conns,
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
