/* vcl_ast.c: the AST's arena, its life cycle, names and the dump. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcl/vcl_parse_int.h"

/* --- arena: a chain of blocks, freed all at once with the AST --- */

#define ARENA_BLOCK (64u * 1024)
#define ARENA_ALIGN (_Alignof(max_align_t))

struct arena_blk {
	struct arena_blk *next;
	size_t size, used;
	_Alignas(max_align_t) unsigned char mem[];
};

struct vcl_arena {
	struct arena_blk *head; /* the block being filled first */
	size_t total; /* bytes of every block, against VCL_MAX_ARENA */
};

static struct arena_blk *
arena_grow(struct vcl_arena *ar, size_t size)
{
	size_t bs = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
	struct arena_blk *b;

	if (bs > VCL_MAX_ARENA || ar->total > VCL_MAX_ARENA - bs)
		return (NULL);
	b = malloc(sizeof *b + bs);
	if (b == NULL)
		return (NULL);
	b->size = bs;
	b->used = 0;
	ar->total += bs;
	if (bs == size && ar->head != NULL) {
		/* a big one-off: keep filling the current block */
		b->next = ar->head->next;
		ar->head->next = b;
	} else {
		b->next = ar->head;
		ar->head = b;
	}
	return (b);
}

void *
vcl_arena_alloc(struct vcl_arena *ar, size_t size)
{
	struct arena_blk *b;
	size_t off;

	VCL_AN(ar);
	if (size > VCL_MAX_ARENA)
		return (NULL);
	size = (size + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	b = ar->head;
	if (b == NULL || b->size - b->used < size) {
		b = arena_grow(ar, size);
		if (b == NULL)
			return (NULL);
	}
	off = b->used;
	b->used += size;
	memset(b->mem + off, 0, size);
	return (b->mem + off);
}

char *
vcl_arena_strndup(struct vcl_arena *ar, const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return (NULL);
	p = vcl_arena_alloc(ar, len + 1);
	if (p == NULL)
		return (NULL);
	memcpy(p, s, len);
	p[len] = '\0';
	return (p);
}

static void
arena_free(struct vcl_arena *ar)
{
	struct arena_blk *b, *n;

	for (b = ar->head; b != NULL; b = n) {
		n = b->next;
		free(b);
	}
	free(ar);
}

/* --- the AST --- */

struct vcl_ast *
vcl_ast_new(void)
{
	struct vcl_ast *a = calloc(1, sizeof *a);

	if (a == NULL)
		return (NULL);
	a->arena = calloc(1, sizeof *a->arena);
	if (a->arena == NULL) {
		free(a);
		return (NULL);
	}
	a->magic = VCL_AST_MAGIC;
	return (a);
}

void
vcl_ast_free(struct vcl_ast **ap)
{
	struct vcl_ast *a;
	struct vcl_src *s;

	VCL_AN(ap);
	a = *ap;
	*ap = NULL;
	if (a == NULL)
		return;
	VCL_CHECK_OBJ(a, VCL_AST_MAGIC);
	for (unsigned i = 0; i < a->nsrc; i++) {
		s = a->srcs[i];
		VCL_CHECK_OBJ_NOTNULL(s, VCL_SRC_MAGIC);
		free(s->name);
		free(s->text);
		free(s->dir);
		free(s->real);
		free(s);
	}
	free(a->srcs);
	arena_free(a->arena);
	a->magic = 0;
	free(a);
}

static const char *const kind_names[] = {
#define VCL_NODE_NAME(name, str) [VCL_N_##name] = str,
    VCL_NODES(VCL_NODE_NAME)
#undef VCL_NODE_NAME
};

static const enum vcl_tok_kind op_toks[] = {
#define VCL_OP_TOK(name, tok) [VCL_OP_##name] = VCL_TK_##tok,
    VCL_OPS(VCL_OP_TOK)
#undef VCL_OP_TOK
};

const char *
vcl_kind_name(enum vcl_kind k)
{
	VCL_ASSERT(k < VCL_N__COUNT);
	return (kind_names[k]);
}

const char *
vcl_op_name(enum vcl_op op)
{
	VCL_ASSERT(op < VCL_OP__COUNT);
	return (vcl_tok_kind_name(op_toks[op]));
}

unsigned
vcl_list_len(const struct vcl_node *n)
{
	unsigned i = 0;

	for (; n != NULL; n = n->next)
		i++;
	return (i);
}
