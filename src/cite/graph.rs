//! Reference graphs of bibliographies and styles, checked before a crate expands them.
//!
//! A BibTeX `@string` names other strings, an entry takes fields from its `crossref` and
//! `xdata` entries, a CSL macro calls other macros. The crates that expand these (biblatex,
//! hayagriva) follow the references recursively, so a cycle overflows the stack and aborts
//! the process, and a long chain or a doubling tree does the same or never ends. This module
//! finds, without recursion, the cycles and the nodes whose expansion runs too deep or grows
//! too large, so that the caller can report them and cut those references before expanding.

/// One node (a string, an entry, a macro): its own weight and the nodes it refers to.
#[derive(Debug, Clone, Default)]
pub(super) struct Node {
    /// What the node adds to an expansion by itself (bytes of text, or 1 per visit).
    pub(super) weight: u64,
    /// The nodes it refers to, one per reference (a node named twice is listed twice).
    pub(super) edges: Vec<usize>,
}

/// Limits on what expanding one node may cost.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    /// Longest chain of references below a node.
    pub(super) depth: usize,
    /// The node's weight plus the weights of everything it expands to, counted each time.
    pub(super) size: u64,
}

/// Something a node's expansion would do that the crate cannot survive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Problem {
    /// A cycle: the strongly connected component it lies in.
    Cycle {
        /// A shortest path from the component's first node (in node order) back to it; the
        /// last element is that first node again.
        path: Vec<usize>,
        /// Every node of the component, ascending: each can reach every other.
        members: Vec<usize>,
    },
    /// The node's references nest deeper than [`Limits::depth`].
    TooDeep(usize),
    /// The node expands to more than [`Limits::size`].
    TooLarge(usize),
}

/// The problems of a graph, each reported once: a cycle per strongly connected component
/// with one, then (with the edges of the nodes on cycles cut) the nodes that are the first
/// to pass a limit, children before parents. Cutting the edges of every node named in a
/// problem (all the members of a cycle's component) leaves a graph that expands within the
/// limits.
pub(super) fn find_problems(nodes: &[Node], limits: Limits) -> Vec<Problem> {
    let components = strongly_connected(nodes);
    let mut cut = vec![false; nodes.len()];
    let mut problems = Vec::new();
    for component in &components {
        let looping = component.len() > 1
            || component
                .first()
                .is_some_and(|&n| nodes[n].edges.contains(&n));
        if looping {
            for &n in component {
                cut[n] = true;
            }
            problems.push(Problem::Cycle {
                path: cycle_through(nodes, component),
                members: component.clone(),
            });
        }
    }
    // Tarjan's algorithm emits components children first: a valid order for the sizes.
    let mut depth = vec![0usize; nodes.len()];
    let mut size = vec![0u64; nodes.len()];
    for &n in components.iter().flatten() {
        size[n] = nodes[n].weight;
        if cut[n] {
            continue;
        }
        for &child in &nodes[n].edges {
            depth[n] = depth[n].max(depth[child] + 1);
            size[n] = size[n].saturating_add(size[child]);
        }
        if depth[n] > limits.depth || size[n] > limits.size {
            problems.push(if depth[n] > limits.depth {
                Problem::TooDeep(n)
            } else {
                Problem::TooLarge(n)
            });
            depth[n] = 0;
            size[n] = nodes[n].weight;
        }
    }
    problems
}

/// Strongly connected components (Tarjan), iteratively so that a long chain cannot
/// overflow the stack. Components come out in reverse topological order: every node's
/// children are in its own component or in one before it. Within a component, nodes are
/// in ascending order.
fn strongly_connected(nodes: &[Node]) -> Vec<Vec<usize>> {
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; nodes.len()];
    let mut low = vec![0usize; nodes.len()];
    let mut on_stack = vec![false; nodes.len()];
    let mut stack: Vec<usize> = Vec::new();
    let mut components = Vec::new();
    let mut next_index = 0;
    // (node, position of the next edge to follow)
    let mut calls: Vec<(usize, usize)> = Vec::new();
    for root in 0..nodes.len() {
        if index[root] != UNSEEN {
            continue;
        }
        calls.push((root, 0));
        while let Some(&mut (n, ref mut edge)) = calls.last_mut() {
            if *edge == 0 && index[n] == UNSEEN {
                index[n] = next_index;
                low[n] = next_index;
                next_index += 1;
                stack.push(n);
                on_stack[n] = true;
            }
            if let Some(&child) = nodes[n].edges.get(*edge) {
                *edge += 1;
                if index[child] == UNSEEN {
                    calls.push((child, 0));
                } else if on_stack[child] {
                    low[n] = low[n].min(index[child]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(parent, _)) = calls.last() {
                low[parent] = low[parent].min(low[n]);
            }
            if low[n] == index[n] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == n {
                        break;
                    }
                }
                component.sort_unstable();
                components.push(component);
            }
        }
    }
    components
}

/// A shortest cycle through the component's first node, found breadth first inside it.
fn cycle_through(nodes: &[Node], component: &[usize]) -> Vec<usize> {
    let Some(&start) = component.first() else {
        return Vec::new();
    };
    let inside = |n: usize| component.binary_search(&n).is_ok();
    let mut came_from: std::collections::BTreeMap<usize, usize> = Default::default();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for &child in nodes[n].edges.iter().filter(|&&c| inside(c)) {
            if child == start {
                let mut path = vec![n];
                let mut at = n;
                while at != start {
                    at = came_from[&at];
                    path.push(at);
                }
                path.reverse();
                path.push(start);
                return path;
            }
            if child != start && !came_from.contains_key(&child) {
                came_from.insert(child, n);
                queue.push_back(child);
            }
        }
    }
    vec![start, start]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[&[usize]]) -> Vec<Node> {
        edges
            .iter()
            .map(|e| Node {
                weight: 1,
                edges: e.to_vec(),
            })
            .collect()
    }

    fn cycle(path: &[usize], members: &[usize]) -> Problem {
        Problem::Cycle {
            path: path.to_vec(),
            members: members.to_vec(),
        }
    }

    #[test]
    fn a_component_with_two_loops_is_cut_whole() {
        // 0 <-> 1 and 2 <-> 3, joined by 1 -> 2 and 3 -> 0: one component, one report.
        let problems = find_problems(&graph(&[&[1], &[0, 2], &[3], &[2, 0]]), LOOSE);
        assert_eq!(problems, vec![cycle(&[0, 1, 0], &[0, 1, 2, 3])]);
    }

    const LOOSE: Limits = Limits {
        depth: 100,
        size: 1_000,
    };

    #[test]
    fn a_self_reference_is_a_cycle() {
        let problems = find_problems(&graph(&[&[0]]), LOOSE);
        assert_eq!(problems, vec![cycle(&[0, 0], &[0])]);
    }

    #[test]
    fn a_cycle_is_reported_once_from_its_first_node() {
        // 0 -> 1 -> 2 -> 0, and 3 -> 0 reaches the cycle without being on it.
        let problems = find_problems(&graph(&[&[1], &[2], &[0], &[0]]), LOOSE);
        assert_eq!(problems, vec![cycle(&[0, 1, 2, 0], &[0, 1, 2])]);
    }

    #[test]
    fn two_cycles_are_two_problems() {
        let problems = find_problems(&graph(&[&[1], &[0], &[3], &[2]]), LOOSE);
        assert_eq!(
            problems,
            vec![cycle(&[0, 1, 0], &[0, 1]), cycle(&[2, 3, 2], &[2, 3])]
        );
    }

    #[test]
    fn a_dag_has_no_problems() {
        assert!(find_problems(&graph(&[&[1, 2], &[2], &[]]), LOOSE).is_empty());
    }

    #[test]
    fn a_long_chain_is_too_deep_at_the_first_node_past_the_limit() {
        // 0 -> 1 -> ... -> 199_999: no recursion, so no overflow; node 199_899 is 100 deep.
        let count = 200_000;
        let nodes: Vec<Node> = (0..count)
            .map(|n| Node {
                weight: 0,
                edges: if n + 1 < count { vec![n + 1] } else { vec![] },
            })
            .collect();
        let problems = find_problems(&nodes, LOOSE);
        assert_eq!(problems.first(), Some(&Problem::TooDeep(count - 102)));
        assert!(problems.len() > 1, "every 101st node restarts the count");
    }

    #[test]
    fn a_doubling_tree_is_too_large_where_it_passes_the_limit() {
        // Node n names node n+1 twice: node n expands to 2^(40-n+1) - 1 visits.
        let nodes: Vec<Node> = (0..40)
            .map(|n| Node {
                weight: 1,
                edges: if n < 39 { vec![n + 1, n + 1] } else { vec![] },
            })
            .collect();
        let problems = find_problems(&nodes, LOOSE);
        // 2^10 - 1 = 1023 > 1000: node 30 is the first past the limit.
        assert_eq!(problems.first(), Some(&Problem::TooLarge(30)));
    }
}
