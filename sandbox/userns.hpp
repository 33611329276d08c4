// The user namespace of a rootless slot: how a keeper started by a normal
// user gets the capabilities it needs inside its own namespaces (and only
// there), and how the programs it starts are left with none.
//
// The keeper is cloned with CLONE_NEWUSER beside the other namespace flags.
// Its clone child maps the caller's uid and gid to themselves (one line each,
// setgroups denied: what an unprivileged process may map), keeps every
// capability of the new namespace across the exec of the keeper (ambient
// capabilities), then execs the keeper. A program drops them all before its
// own exec: it runs as the caller's uid with no capability anywhere.
#pragma once

namespace pj::sandbox {

// What the clone child writes, prepared in the judge (nothing allocates
// between clone and exec).
struct UserNamespacePlan {
  char uid_map[32];
  char gid_map[32];
  int last_cap;  // the kernel's highest capability number
};
UserNamespacePlan plan_user_namespace();

// In the keeper's clone child, before exec: writes the maps and raises every
// capability into the ambient set. Async-signal-safe. Returns 0 or an errno;
// `step` names what failed.
int enter_user_namespace(const UserNamespacePlan& plan, const char** step);

// In a program's clone child, before exec: clears the ambient and
// inheritable sets, so that the exec leaves it without capabilities. Async-signal-safe. 0 or an
// errno.
int drop_ambient_capabilities();

}  // namespace pj::sandbox
