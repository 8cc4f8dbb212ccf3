/*
 * rmap.h - from a file to the address spaces that map it (mm/rmap.c).
 */
#ifndef ASPEN_MM_RMAP_H
#define ASPEN_MM_RMAP_H
#include "lib/kernel.h"

struct inode;

/* file_unmap_pages - take the pages that map file pages [first, end) of
 * inode out of every address space, in shared and private regions alike
 * (Linux's unmap_mapping_range): a later access faults again. even_cows:
 * private copies made by copy-on-write go too (as truncate does); else
 * they stay, and only private pages still mapping the file's own frames
 * go (as a hole punch does). Takes inode->map_lock and each mm->lock in
 * turn: call with no lock held; may sleep. */
void file_unmap_pages(struct inode *inode, uint64_t first, uint64_t end, bool even_cows);
#endif
