"""A believable demo province on the real administrative units, and the benchmark's data set.

`haichieu.demo.seed.seed_demo(members=N)` builds, in one transaction: a provincial committee, its
directly-subordinate committees, workplace grassroots committees (agencies, hospitals, schools,
enterprises) with their cells, commune/ward committees (on real communes of the province) with
residential cells, N members with Vietnamese names and plausible records, their liaisons in every
status, and one login per role. Everything is written with `bulk_create` and tree paths computed
here (django-treebeard's materialized path: steps of 4 characters in 0-9A-Z), so 100,000 members
take seconds, not hours.

One module per concern, in the order the seed uses them:
  common.py    the fixed day, the batch size, the error, random helpers shared by the others
  names.py     Vietnamese names of people, streets and villages
  tree.py      the organisation tree, planned in memory and inserted in bulk
  members.py   the members and their records
  liaisons.py  their liaisons in every status, with letter numbers
  accounts.py  one login per role
  seed.py      `seed_demo`, which runs them in one transaction
  meetings.py  the benchmark's roll-call: a step of its own after the seed (`seed_bench_meeting`)

Nothing outside this package imports it but the benchmark and the tests: the app runs without it.
The same seed gives the same rows, and must keep giving them: the benchmark reuses a database
seeded earlier when it has the right number of members, so a change that draws one more random
number (or draws them in another order) changes every row after it and silently compares figures
on different data. `tests/test_seed.py` pins a fingerprint of the rows of one seed.
"""
