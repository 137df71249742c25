"""The one access vocabulary (DESIGN.md "Access rule"): who may see and do what.

Callers import from here; nothing else reads roles or compares organisation paths.
"""

from .objects import (
    audit_entries_visible_to,
    liaison_side,
    liaisons_visible_to,
    may_write_residence,
    member_can_edit,
    member_get_for,
    member_sees_workplace_fields,
    member_sides,
    members_visible_to,
    notices_visible_to,
    organization_get_for,
    organizations_visible_to,
    own_member_or_404,
    own_record_reads,
    residence_liaisons_visible_to,
    residence_write_or_403,
    writable_cells,
)
from .scope import (
    Scope,
    inbox_readers,
    manage_scope_or_404,
    read_scope_or_404,
    role_organizations,
    roles_in_force,
    scope_for,
    write_scope_or_404,
)

__all__ = [
    "Scope",
    "audit_entries_visible_to",
    "inbox_readers",
    "liaison_side",
    "liaisons_visible_to",
    "manage_scope_or_404",
    "may_write_residence",
    "member_can_edit",
    "member_get_for",
    "member_sees_workplace_fields",
    "member_sides",
    "members_visible_to",
    "organization_get_for",
    "organizations_visible_to",
    "own_member_or_404",
    "own_record_reads",
    "read_scope_or_404",
    "residence_liaisons_visible_to",
    "residence_write_or_403",
    "role_organizations",
    "roles_in_force",
    "scope_for",
    "notices_visible_to",
    "writable_cells",
    "write_scope_or_404",
]
