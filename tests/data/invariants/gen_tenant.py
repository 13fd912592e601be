#!/usr/bin/env python3
"""A large desk-booking tenant for timing `keyplan test` (docs/testing.md,
"How fast"): USERS users and OBJECTS objects on 10 buildings x 20 floors,
50 groups, seeded so that runs compare.

  python3 tests/data/invariants/gen_tenant.py 10000 10000 > /tmp/big.yaml
  keyplan test std.desk_booking --data /tmp/big.yaml --mode exhaustive
"""
import random
import sys

users = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
objects = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
rng = random.Random(7)
groups = [f"G{i}" for i in range(50)]
out = ["Group:"]
out += [f"  - {{id: {g}, hidden: {str(i % 10 == 0).lower()}}}" for i, g in enumerate(groups)]
out.append("Building:")
out += [f"  - {{id: B{b}, published: {str(b != 9).lower()}}}" for b in range(10)]
floors = [f"F{b}_{f}" for b in range(10) for f in range(20)]
out.append("Floor:")
for i, f in enumerate(floors):
    gs = ", ".join(rng.sample(groups, 2)) if i % 3 else "ALL"
    out.append(f"  - {{id: {f}, building: B{f[1:].split('_')[0]}, groups: [{gs}], published: {str(i % 17 != 0).lower()}}}")
out.append("Object:")
for o in range(objects):
    gs = ", ".join(rng.sample(groups, rng.randint(1, 3))) if o % 4 else "ALL"
    status = "blocked" if o % 13 == 0 else "flexible"
    out.append(f"  - {{id: D{o}, floor: {floors[o % len(floors)]}, groups: [{gs}], status: {status}, ignore_groups_within: {o % 3}}}")
out.append("User:")
for u in range(users):
    gs = ", ".join(rng.sample(groups, rng.randint(1, 3)))
    roles = "[administrator]" if u % 500 == 0 else "[group_manager]" if u % 97 == 0 else "[]"
    out.append(f"  - {{id: U{u}, groups: [{gs}], roles: {roles}}}")
print("\n".join(out))
