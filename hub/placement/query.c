/* The cluster query language: a recursive-descent parser over a small lexer, and the tree it
 * builds. Nesting is bounded so that no input can run the parser's stack out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "hub/placement/query.h"

#define QUERY_DEPTH_MAX 32
#define QUERY_LIST_MAX 100
#define QUERY_PATTERN_MAX 128

enum node_kind { NODE_AND, NODE_OR, NODE_NOT, NODE_COMPARE };
enum compare_op { OP_EQUALS, OP_IN, OP_EXISTS, OP_MATCHES };

struct query {
	enum node_kind kind;
	struct query *left, *right; /* NOT uses left */
	/* NODE_COMPARE: attribute name, or NULL for ec2InstanceId. */
	char *attribute;
	enum compare_op op;
	bool negated;
	char **values;
	size_t n_values;
};

enum token_kind { T_END, T_WORD, T_LPAREN, T_RPAREN, T_LBRACKET, T_RBRACKET, T_COMMA, T_OP };

struct token {
	enum token_kind kind;
	size_t at; /* offset in the text */
	size_t len;
	const char *start;
};

struct parser {
	const char *text;
	struct token tok;
	int depth;
	struct error *err;
};

static bool is_word_char(char c)
{
	return c > ' ' && c != 0x7f && !strchr("()[],=!~&|<>'\"", c);
}

/* Reads the token at p->tok.at + p->tok.len into p->tok. */
static int next_token(struct parser *p)
{
	size_t i = p->tok.at + p->tok.len;
	while (p->text[i] == ' ' || p->text[i] == '\t' || p->text[i] == '\n')
		i++;
	const char *s = p->text + i;
	struct token t = { T_END, i, 0, s };
	static const char *const ops[] = { "==", "!=", "=~", "!~", "&&", "||", ">=", "<=",
					   "!", ">", "<" };
	if (!*s)
		goto done;
	if (*s == '(' || *s == ')' || *s == '[' || *s == ']' || *s == ',') {
		t.kind = *s == '(' ? T_LPAREN : *s == ')' ? T_RPAREN : *s == '[' ? T_LBRACKET :
			 *s == ']' ? T_RBRACKET : T_COMMA;
		t.len = 1;
		goto done;
	}
	if (*s == '\'' || *s == '"') {
		const char *close = strchr(s + 1, *s);
		if (!close)
			return error_set(p->err, EINVAL, "position %zu: quote never closed", i + 1);
		t.kind = T_WORD;
		t.len = (size_t)(close - s) + 1;
		goto done;
	}
	for (size_t k = 0; k < ELEMENTSOF(ops); k++) {
		size_t n = strlen(ops[k]);
		if (strncmp(s, ops[k], n) == 0) {
			t.kind = T_OP;
			t.len = n;
			goto done;
		}
	}
	while (is_word_char(s[t.len]))
		t.len++;
	if (!t.len)
		return error_set(p->err, EINVAL, "position %zu: unexpected character '%c'", i + 1, *s);
	t.kind = T_WORD;
done:
	p->tok = t;
	return 0;
}

static bool tok_is(const struct parser *p, const char *word)
{
	return (p->tok.kind == T_WORD || p->tok.kind == T_OP) && strlen(word) == p->tok.len &&
	       strncmp(p->tok.start, word, p->tok.len) == 0;
}

static int fail_here(struct parser *p, const char *expected)
{
	if (p->tok.kind == T_END)
		return error_set(p->err, EINVAL, "position %zu: expected %s, found the end",
				 p->tok.at + 1, expected);
	return error_set(p->err, EINVAL, "position %zu: expected %s, found '%.*s'", p->tok.at + 1,
			 expected, (int)(p->tok.len > 40 ? 40 : p->tok.len), p->tok.start);
}

/* The token's text, quotes removed, as a new string. */
static char *word_text(const struct parser *p)
{
	bool quoted = p->tok.start[0] == '\'' || p->tok.start[0] == '"';
	return strndup(p->tok.start + quoted, p->tok.len - 2 * quoted);
}

void query_free(struct query *q)
{
	if (!q)
		return;
	query_free(q->left);
	query_free(q->right);
	free(q->attribute);
	for (size_t i = 0; i < q->n_values; i++)
		free(q->values[i]);
	free(q->values);
	free(q);
}

static int add_value(struct parser *p, struct query *q)
{
	if (p->tok.kind != T_WORD)
		return fail_here(p, "a value");
	if (q->n_values == QUERY_LIST_MAX)
		return error_set(p->err, EINVAL, "position %zu: a list holds at most %d values",
				 p->tok.at + 1, QUERY_LIST_MAX);
	char **v = realloc(q->values, (q->n_values + 1) * sizeof(*v));
	if (!v)
		return error_set(p->err, ENOMEM, "out of memory");
	q->values = v;
	if (!(v[q->n_values] = word_text(p)))
		return error_set(p->err, ENOMEM, "out of memory");
	q->n_values++;
	return next_token(p);
}

static int parse_list(struct parser *p, struct query *q)
{
	if (p->tok.kind != T_LBRACKET)
		return fail_here(p, "'[' opening a list of values");
	int r = next_token(p);
	while (r == 0) {
		if ((r = add_value(p, q)) < 0)
			return r;
		if (p->tok.kind == T_RBRACKET)
			return next_token(p);
		if (p->tok.kind != T_COMMA)
			return fail_here(p, "',' or ']' in the list");
		r = next_token(p);
	}
	return r;
}

/* Patterns take '.' (any character), '*' (any number of the character before) and '|'
 * (alternatives): what placement by instance type or site needs, matched in time bounded by
 * the pattern and value lengths, so that no expression can make placement slow. */
static int check_pattern(struct parser *p, struct query *q)
{
	const char *pat = q->values[0];
	size_t n = strlen(pat), bad = strcspn(pat, "()[]{}+?^$\\");
	if (n > QUERY_PATTERN_MAX || bad < n)
		return error_set(p->err, EINVAL,
				 "before position %zu: tether's =~ takes patterns of at most %d"
				 " characters with '.', '*' and '|' only", p->tok.at + 1,
				 QUERY_PATTERN_MAX);
	for (size_t i = 0; i < n; i++)
		if (pat[i] == '*' && (i == 0 || pat[i - 1] == '*' || pat[i - 1] == '|'))
			return error_set(p->err, EINVAL,
					 "before position %zu: '*' must follow a character",
					 p->tok.at + 1);
	return 0;
}

/* Whether pat[0..plen) matches all of value: dynamic programming over (pattern, value)
 * positions, one row of the value at a time. */
static bool match_alternative(const char *pat, size_t plen, const char *value)
{
	size_t vlen = strlen(value);
	if (vlen > 1024)
		return false;
	bool row[1025], next[1025];
	memset(row, 0, vlen + 1);
	row[0] = true; /* the empty pattern prefix matches the empty value prefix */
	for (size_t i = 0; i < plen; i++) {
		char c = pat[i];
		bool star = i + 1 < plen && pat[i + 1] == '*';
		memset(next, 0, vlen + 1);
		for (size_t j = 0; j <= vlen; j++) {
			bool here = star && row[j];
			if (j > 0 && (c == '.' || c == value[j - 1]))
				here = here || (star ? next[j - 1] || row[j - 1] : row[j - 1]);
			next[j] = here;
		}
		memcpy(row, next, vlen + 1);
		i += star;
	}
	return row[vlen];
}

static bool pattern_matches(const char *pat, const char *value)
{
	for (;;) {
		size_t len = strcspn(pat, "|");
		if (match_alternative(pat, len, value))
			return true;
		if (!pat[len])
			return false;
		pat += len + 1;
	}
}

/* A pattern holds the lexer's punctuation ("ly(on|s)"): unquoted, it runs to the next space. */
static void pattern_token(struct parser *p)
{
	if (p->tok.kind == T_END || p->tok.start[0] == '\'' || p->tok.start[0] == '"')
		return;
	p->tok.kind = T_WORD;
	p->tok.len = strcspn(p->tok.start, " \t\n");
}

/* The operator after a subject; *negated for its negative forms. */
static int parse_operator(struct parser *p, struct query *q)
{
	static const struct {
		const char *word;
		enum compare_op op;
		bool negated;
	} ops[] = {
		{ "==", OP_EQUALS, false },   { "equals", OP_EQUALS, false },
		{ "!=", OP_EQUALS, true },    { "not_equals", OP_EQUALS, true },
		{ "in", OP_IN, false },       { "not_in", OP_IN, true },
		{ "exists", OP_EXISTS, false }, { "not_exists", OP_EXISTS, true },
		{ "=~", OP_MATCHES, false },  { "matches", OP_MATCHES, false },
		{ "!~", OP_MATCHES, true },   { "not_matches", OP_MATCHES, true },
	};
	/* "!in", "!exists", "not in", "not exists": a negation in front of the operator. */
	if (tok_is(p, "!") || tok_is(p, "not")) {
		q->negated = true;
		int r = next_token(p);
		if (r < 0)
			return r;
		if (!tok_is(p, "in") && !tok_is(p, "exists"))
			return fail_here(p, "'in' or 'exists' after the negation");
	}
	for (size_t i = 0; i < ELEMENTSOF(ops); i++) {
		if (!tok_is(p, ops[i].word))
			continue;
		q->op = ops[i].op;
		q->negated = q->negated != ops[i].negated;
		return next_token(p);
	}
	if (tok_is(p, ">") || tok_is(p, ">=") || tok_is(p, "<") || tok_is(p, "<=") ||
	    tok_is(p, "greater_than") || tok_is(p, "greater_than_equal") ||
	    tok_is(p, "less_than") || tok_is(p, "less_than_equal"))
		return error_set(p->err, EINVAL,
				 "position %zu: tether does not implement the operator '%.*s'",
				 p->tok.at + 1, (int)p->tok.len, p->tok.start);
	return fail_here(p, "an operator (==, !=, in, not_in, exists, =~, !~)");
}

static int parse_subject(struct parser *p, struct query *q)
{
	if (p->tok.kind != T_WORD)
		return fail_here(p, "a subject (attribute:NAME or ec2InstanceId)");
	if (tok_is(p, "ec2InstanceId"))
		return next_token(p);
	if (p->tok.len > 10 && strncmp(p->tok.start, "attribute:", 10) == 0) {
		q->attribute = strndup(p->tok.start + 10, p->tok.len - 10);
		if (!q->attribute)
			return error_set(p->err, ENOMEM, "out of memory");
		return next_token(p);
	}
	static const char *const known[] = { "agentConnected", "agentVersion", "registeredAt",
					     "runningTasksCount", "task:group" };
	for (size_t i = 0; i < ELEMENTSOF(known); i++)
		if (tok_is(p, known[i]))
			return error_set(p->err, EINVAL,
					 "position %zu: tether does not implement the subject %s",
					 p->tok.at + 1, known[i]);
	return fail_here(p, "a subject (attribute:NAME or ec2InstanceId)");
}

static int parse_comparison(struct parser *p, struct query **ret)
{
	_cleanup_(query_freep) struct query *q = calloc(1, sizeof(*q));
	if (!q)
		return error_set(p->err, ENOMEM, "out of memory");
	q->kind = NODE_COMPARE;
	int r = parse_subject(p, q);
	if (r == 0)
		r = parse_operator(p, q);
	if (r == 0 && q->op == OP_MATCHES)
		pattern_token(p);
	if (r == 0 && q->op == OP_IN)
		r = parse_list(p, q);
	else if (r == 0 && q->op != OP_EXISTS)
		r = add_value(p, q);
	if (r == 0 && q->op == OP_EXISTS && !q->attribute)
		r = error_set(p->err, EINVAL, "before position %zu: ec2InstanceId always exists",
			      p->tok.at + 1);
	if (r == 0 && q->op == OP_MATCHES)
		r = check_pattern(p, q);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(q);
	return 0;
}

static int parse_or(struct parser *p, struct query **ret);

static int parse_unary(struct parser *p, struct query **ret)
{
	if (++p->depth > QUERY_DEPTH_MAX)
		return error_set(p->err, EINVAL, "position %zu: nested deeper than %d",
				 p->tok.at + 1, QUERY_DEPTH_MAX);
	int r;
	if (tok_is(p, "not") || tok_is(p, "!")) {
		_cleanup_(query_freep) struct query *q = calloc(1, sizeof(*q));
		if (!q)
			return error_set(p->err, ENOMEM, "out of memory");
		q->kind = NODE_NOT;
		if ((r = next_token(p)) < 0 || (r = parse_unary(p, &q->left)) < 0)
			return r;
		*ret = TAKE_PTR(q);
	} else if (p->tok.kind == T_LPAREN) {
		if ((r = next_token(p)) < 0 || (r = parse_or(p, ret)) < 0)
			return r;
		if (p->tok.kind != T_RPAREN)
			return fail_here(p, "')'");
		if ((r = next_token(p)) < 0)
			return r;
	} else if ((r = parse_comparison(p, ret)) < 0) {
		return r;
	}
	p->depth--;
	return 0;
}

/* One level of a left-associative chain of "and" (or "or") over the level below. */
static int parse_chain(struct parser *p, struct query **ret, enum node_kind kind,
		       const char *word, const char *symbol,
		       int (*below)(struct parser *, struct query **))
{
	_cleanup_(query_freep) struct query *left = NULL;
	int r = below(p, &left);
	while (r == 0 && (tok_is(p, word) || tok_is(p, symbol))) {
		struct query *q = calloc(1, sizeof(*q));
		if (!q)
			return error_set(p->err, ENOMEM, "out of memory");
		q->kind = kind;
		q->left = TAKE_PTR(left);
		left = q;
		if ((r = next_token(p)) == 0)
			r = below(p, &q->right);
	}
	if (r < 0)
		return r;
	*ret = TAKE_PTR(left);
	return 0;
}

static int parse_and(struct parser *p, struct query **ret)
{
	return parse_chain(p, ret, NODE_AND, "and", "&&", parse_unary);
}

static int parse_or(struct parser *p, struct query **ret)
{
	return parse_chain(p, ret, NODE_OR, "or", "||", parse_and);
}

int query_parse(const char *text, struct query **ret, struct error *err)
{
	if (strlen(text) > QUERY_TEXT_MAX)
		return error_set(err, EINVAL, "an expression is at most %d characters",
				 QUERY_TEXT_MAX);
	struct parser p = { .text = text, .err = err };
	_cleanup_(query_freep) struct query *q = NULL;
	int r = next_token(&p);
	if (r == 0)
		r = parse_or(&p, &q);
	if (r == 0 && p.tok.kind != T_END)
		r = fail_here(&p, "'and', 'or' or the end");
	if (r < 0)
		return r;
	*ret = TAKE_PTR(q);
	return 0;
}

static bool compare(const struct query *q, const struct query_subject *s)
{
	const char *value = NULL;
	bool present;
	if (q->attribute) {
		present = s->attribute(s->data, q->attribute, &value) > 0;
	} else {
		present = true;
		value = s->ec2_instance_id;
	}
	if (q->op == OP_EXISTS)
		return present;
	if (!present || !value)
		return false;
	for (size_t i = 0; q->op != OP_MATCHES && i < q->n_values; i++)
		if (strcmp(value, q->values[i]) == 0 ||
		    (!q->attribute && s->container_instance_id &&
		     strcmp(s->container_instance_id, q->values[i]) == 0))
			return true;
	if (q->op == OP_MATCHES)
		return pattern_matches(q->values[0], value) ||
		       (!q->attribute && s->container_instance_id &&
			pattern_matches(q->values[0], s->container_instance_id));
	return false;
}

bool query_match(const struct query *q, const struct query_subject *s)
{
	switch (q->kind) {
	case NODE_AND:
		return query_match(q->left, s) && query_match(q->right, s);
	case NODE_OR:
		return query_match(q->left, s) || query_match(q->right, s);
	case NODE_NOT:
		return !query_match(q->left, s);
	case NODE_COMPARE:
		return compare(q, s) != q->negated;
	}
	return false;
}
