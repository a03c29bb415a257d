/* The device filter's program, written instruction by instruction. It is small and fixed in
 * shape (a header, a block per rule, a refusal at the end), so it needs no compiler and no
 * library: libbpf would bring an ELF loader, BTF and a second copy of what bpf(2) already
 * offers, for about forty instructions.
 *
 * The kernel hands the program a struct bpf_cgroup_dev_ctx: access_type (the access bits in
 * its upper 16 bits, the device type in its lower 16), major, minor. It returns 1 to allow
 * and 0 to refuse. */
#include "cgroups/device_filter.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

/* The registers the header fills and every rule block reads. */
enum {
	REG_RESULT = BPF_REG_0,
	REG_CONTEXT = BPF_REG_1,
	REG_TYPE = BPF_REG_2,
	REG_ACCESS = BPF_REG_3,
	REG_MAJOR = BPF_REG_4,
	REG_MINOR = BPF_REG_5,
};

#define HEADER_LENGTH 6
#define FOOTER_LENGTH 2
#define MAX_ATTACHED 64 /* programs on one cgroup that a replacement detaches */

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	return (struct bpf_insn){ .code = code, .dst_reg = dst & 0xf, .src_reg = src & 0xf,
				  .off = off, .imm = imm };
}

static struct bpf_insn load_u32(uint8_t dst, int16_t offset)
{
	return insn(BPF_LDX | BPF_W | BPF_MEM, dst, REG_CONTEXT, offset, 0);
}

/* At AT, a jump to TARGET taken when register DST differs from VALUE. */
static struct bpf_insn jump_unless(uint8_t dst, int32_t value, const struct bpf_insn *at,
				   const struct bpf_insn *target)
{
	return insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, (int16_t)(target - at - 1), value);
}

static struct bpf_insn *append_return(struct bpf_insn *p, int32_t verdict)
{
	*p++ = insn(BPF_ALU64 | BPF_MOV | BPF_K, REG_RESULT, 0, 0, verdict);
	*p++ = insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return p;
}

static size_t rule_length(const struct cgroup_device_rule *r)
{
	return 6 + (r->major != CGROUP_DEVICE_ANY) + (r->minor != CGROUP_DEVICE_ANY);
}

/* if (type == T && !(access & ~A) && major == M && minor == N) return 1; */
static struct bpf_insn *append_rule(struct bpf_insn *p, const struct cgroup_device_rule *r)
{
	const struct bpf_insn *next = p + rule_length(r);
	int32_t type = r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
	*p = jump_unless(REG_TYPE, type, p, next);
	p++;
	/* The access asked for, less what the rule allows, must leave nothing. */
	*p++ = insn(BPF_ALU | BPF_MOV | BPF_X, REG_RESULT, REG_ACCESS, 0, 0);
	*p++ = insn(BPF_ALU | BPF_AND | BPF_K, REG_RESULT, 0, 0,
		    (int32_t)(~r->access & CGROUP_DEVICE_RWM));
	*p = jump_unless(REG_RESULT, 0, p, next);
	p++;
	if (r->major != CGROUP_DEVICE_ANY) {
		*p = jump_unless(REG_MAJOR, r->major, p, next);
		p++;
	}
	if (r->minor != CGROUP_DEVICE_ANY) {
		*p = jump_unless(REG_MINOR, r->minor, p, next);
		p++;
	}
	return append_return(p, 1);
}

/* The whole program into *ret (to free), its length in *ret_n. */
static int build_program(const struct cgroup_device_rule *rules, size_t n_rules,
			 struct bpf_insn **ret, size_t *ret_n)
{
	size_t n = HEADER_LENGTH + FOOTER_LENGTH;
	for (size_t i = 0; i < n_rules; i++) {
		if ((rules[i].type != 'c' && rules[i].type != 'b') || rules[i].major < -1 ||
		    rules[i].minor < -1 || rules[i].access & ~(unsigned)CGROUP_DEVICE_RWM)
			return -EINVAL;
		n += rule_length(&rules[i]);
	}
	struct bpf_insn *prog = calloc(n, sizeof(*prog)), *p = prog;
	if (!prog)
		return -ENOMEM;
	*p++ = load_u32(REG_TYPE, offsetof(struct bpf_cgroup_dev_ctx, access_type));
	*p++ = insn(BPF_ALU | BPF_MOV | BPF_X, REG_ACCESS, REG_TYPE, 0, 0);
	*p++ = insn(BPF_ALU | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16);
	*p++ = insn(BPF_ALU | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff);
	*p++ = load_u32(REG_MAJOR, offsetof(struct bpf_cgroup_dev_ctx, major));
	*p++ = load_u32(REG_MINOR, offsetof(struct bpf_cgroup_dev_ctx, minor));
	for (size_t i = 0; i < n_rules; i++)
		p = append_rule(p, &rules[i]);
	append_return(p, 0);
	*ret = prog;
	*ret_n = n;
	return 0;
}

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	int r = (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : r;
}

static int load_once(const struct bpf_insn *prog, size_t n)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)prog;
	attr.insn_cnt = (uint32_t)n;
	/* The kernel reads the license only to allow helpers reserved to GPL programs; this
	 * program calls no helper. */
	attr.license = (uint64_t)(uintptr_t)"GPL";
	/* What `bpftool cgroup tree` shows for it. */
	strncpy(attr.prog_name, "tether_devices", sizeof(attr.prog_name) - 1);
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

/* Kernels before 5.11 charge programs to RLIMIT_MEMLOCK, whose default (64 KiB for all of
 * root's programs together) a few dozen containers exhaust: on EPERM the load is tried again
 * with the soft limit raised to the hard one, and the limit put back, so that the container
 * does not inherit it. */
static int load_program(const struct bpf_insn *prog, size_t n)
{
	int fd = load_once(prog, n);
	struct rlimit old, raised;
	if (fd != -EPERM || getrlimit(RLIMIT_MEMLOCK, &old) < 0 || old.rlim_cur == old.rlim_max)
		return fd;
	raised = (struct rlimit){ .rlim_cur = old.rlim_max, .rlim_max = old.rlim_max };
	if (setrlimit(RLIMIT_MEMLOCK, &raised) < 0)
		return fd;
	fd = load_once(prog, n);
	(void)setrlimit(RLIMIT_MEMLOCK, &old);
	return fd;
}

static int query_attached(int cgroup_fd, uint32_t ids[MAX_ATTACHED], uint32_t *ret_n)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.query.target_fd = (uint32_t)cgroup_fd;
	attr.query.attach_type = BPF_CGROUP_DEVICE;
	attr.query.prog_ids = (uint64_t)(uintptr_t)ids;
	attr.query.prog_cnt = MAX_ATTACHED;
	int r = sys_bpf(BPF_PROG_QUERY, &attr);
	if (r < 0)
		return r;
	*ret_n = attr.query.prog_cnt;
	return 0;
}

static int detach_by_id(int cgroup_fd, uint32_t id)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	_cleanup_close_ int fd = sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr);
	if (fd == -ENOENT)
		return 0; /* gone meanwhile */
	if (fd < 0)
		return fd;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	int r = sys_bpf(BPF_PROG_DETACH, &attr);
	return r == -ENOENT ? 0 : r;
}

int cgroup_device_filter_attach(int cgroup_fd, const struct cgroup_device_rule *rules,
				size_t n_rules, struct error *err)
{
	_cleanup_free_ struct bpf_insn *prog = NULL;
	size_t n = 0;
	int r = build_program(rules, n_rules, &prog, &n);
	if (r < 0)
		return error_set_errno(err, r, "device filter of %zu rules", n_rules);
	_cleanup_close_ int prog_fd = load_program(prog, n);
	if (prog_fd < 0)
		return error_set_errno(err, prog_fd, "load the device filter (bpf BPF_PROG_LOAD)");
	/* The old filter goes only once the new one is in place: never a moment with none. */
	uint32_t old[MAX_ATTACHED], n_old = 0;
	r = query_attached(cgroup_fd, old, &n_old);
	if (r < 0)
		return error_set_errno(err, r, "list the cgroup's device filters (bpf BPF_PROG_QUERY)");
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)cgroup_fd;
	attr.attach_bpf_fd = (uint32_t)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* Several programs may sit on one cgroup and its parents; a device is allowed only when
	 * all of them allow it, so a parent's filter still holds. */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	r = sys_bpf(BPF_PROG_ATTACH, &attr);
	if (r < 0)
		return error_set_errno(err, r, "attach the device filter (bpf BPF_PROG_ATTACH)");
	for (uint32_t i = 0; i < n_old; i++)
		if ((r = detach_by_id(cgroup_fd, old[i])) < 0)
			return error_set_errno(err, r, "detach the cgroup's earlier device filter");
	return 0;
}

int cgroup_device_filter_probe(struct error *err)
{
	struct bpf_insn refuse_all[FOOTER_LENGTH];
	append_return(refuse_all, 0);
	int fd = load_program(refuse_all, ELEMENTSOF(refuse_all));
	if (fd < 0)
		return error_set_errno(err, fd, "bpf(BPF_PROG_LOAD) of a cgroup device program");
	close(fd);
	return 0;
}
