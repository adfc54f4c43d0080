// Package ownership models who owns a legal-entity customer: parties
// (individuals and entities), direct stakes between them, and the questions
// KYC asks of that graph: effective ownership through chains of entities,
// beneficial owners under the CDD rule (25% or more, plus one control
// person), and blocking under OFAC's 50 Percent Rule. The package is pure
// domain logic: no I/O, no clocks, no globals.
//
// # Units and arithmetic
//
// Stakes are integer basis points: 1 bp = 0.01%, 10000 bp = 100%. Percentages
// are never floats. Effective (indirect) ownership is computed exactly with
// math/big.Rat as a fraction of the root entity: a path's share is the product
// of its stakes (each bp/10000), and shares add across paths. Threshold tests
// (25%, 50%) compare the exact fraction, never a rounded figure. For display,
// an exact share is also given in basis points rounded down (floor), so a
// figure shown as 2500 bp or more is always at or over 25% and a share of
// 24.995% shows as 2499 bp, never as 2500.
//
// # Cycles
//
// Cross-holdings (A owns B, B owns A, possibly through longer chains) are
// detected and reported, never followed: effective ownership is the sum over
// simple paths only (no party appears twice on a path). Figures are therefore
// well defined and finite, and in the presence of a cycle they are a lower
// bound on the "look-through" figure one would get by solving the linear
// system; every cycle reachable from the root is reported (Cycle, and a
// FindingOwnershipCycle in the CDD result) so a person reviews the case.
//
// # OFAC 50 Percent Rule
//
// A party is blocked if it is listed (the caller's isBlocked says so) or, for
// an entity, if the stakes held in it by blocked parties add up to 50% or more.
// Per OFAC FAQ 401, "indirectly" means through entities that are themselves
// blocked: a blocked entity's stake counts in full, and ownership through an
// entity that is not blocked does not count at all (no multiplication along
// paths). With cross-holdings the least fixed point is used: a party is blocked
// only if a chain of such 50% steps leads to a listed party, so a cycle cannot
// block itself.
package ownership
