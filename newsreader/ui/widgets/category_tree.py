"""The tree of categories and feeds on the left, with unread counts."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from newsreader.keys import TREE
from newsreader.model import MAX_CATEGORY_CHARS
from newsreader.sanitize import clean_line
from newsreader.tree import NodeKind, Selection, TreeItem
from newsreader.ui.commands import install_bindings

MAX_LABEL_CHARS = MAX_CATEGORY_CHARS
"""A longer name (a feed's title, a category of an older cache) is cut in the tree."""


_Shape = tuple[Selection | None, Selection, bool]
_LabelKey = tuple[str, int, bool, bool]


_MARKED_KINDS = (NodeKind.FEED, NodeKind.CATEGORY, NodeKind.QUERY)
"""Nodes marked when their last update failed: a feed, and a sync account's node."""


def _shape(parent: Selection | None, item: TreeItem) -> _Shape:
    """Where a node sits in the tree: what a redraw in place must find unchanged."""
    return (parent, item.selection, bool(item.children))


def _label_key(item: TreeItem) -> _LabelKey:
    """What a node's label is made of (see ``CategoryTree._label``)."""
    failed = item.selection.kind in _MARKED_KINDS and item.failed
    return (item.label, item.shown_count, bool(item.unread_count), failed)


class CategoryTree(Tree[Selection]):
    """Categories, feeds and the All / Unread / Starred views."""

    class SelectionChosen(Message):
        """The reader picked a node: show its articles."""

        def __init__(self, selection: Selection) -> None:
            super().__init__()
            self.selection = selection

    def __init__(self, keys: Mapping[str, tuple[str, ...]], *, id: str | None = None) -> None:
        super().__init__(Text("newsreader"), id=id)
        install_bindings(self, TREE, keys)
        self.show_root = False
        self.guide_depth = 2
        # Enter shows a node's articles and leaves it open or closed as the reader
        # left it (Textual's default also toggles it); space, or a click on its
        # arrow, opens and closes it.
        self.auto_expand = False
        self._drawn_nodes: list[TreeNode[Selection]] = []
        """Every node but the root as the last build added them, parents first."""
        self._drawn_shapes: list[_Shape] = []
        """Each of those nodes' place: its parent's selection, its own, whether it holds others."""
        self._drawn_labels: list[_LabelKey] = []
        """What each of those nodes' label was drawn from."""

    def show(self, items: list[TreeItem]) -> None:
        """Redraw the tree from items, keeping which nodes are open and the cursor.

        When the items have the nodes the tree shows, in the same shape (the usual
        case: only counts changed), only the labels that changed are redrawn and
        the nodes, the cursor and the expansion are left alone; otherwise the
        tree is built again. Walked with a stack, not recursion, however deep the
        items nest.
        """
        if not self._relabel(items):
            self._rebuild(items)

    def _relabel(self, items: list[TreeItem]) -> bool:
        """Set the labels that changed on the nodes shown, if items have their shape.

        Compared with what the last build and relabel drew, not with the nodes:
        on a tree of thousands of feeds, making every label again to compare
        would cost what most of a rebuild does. Returns False, changing nothing,
        when the shape differs.
        """
        walked = _preorder_items(items)
        if [_shape(parent, item) for parent, item in walked] != self._drawn_shapes:
            return False
        for index, (_, item) in enumerate(walked):
            key = _label_key(item)
            if key != self._drawn_labels[index]:
                self._drawn_nodes[index].set_label(self._label(item))
                self._drawn_labels[index] = key
        return True

    def _rebuild(self, items: list[TreeItem]) -> None:
        """Clear the tree and add every item's node, keeping open nodes and the cursor."""
        expanded = {
            node.data for node in self._all_nodes() if node.data is not None and node.is_expanded
        }
        selected = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        self._drawn_nodes, self._drawn_shapes, self._drawn_labels = [], [], []
        stack: list[tuple[TreeNode[Selection], TreeItem]] = [
            (self.root, item) for item in reversed(items)
        ]
        while stack:
            parent, item = stack.pop()
            label = self._label(item)
            if item.children:
                node = parent.add(label, data=item.selection, expand=item.selection in expanded)
                stack.extend((node, child) for child in reversed(item.children))
            else:
                node = parent.add_leaf(label, data=item.selection)
            self._drawn_nodes.append(node)
            self._drawn_shapes.append(_shape(parent.data, item))
            self._drawn_labels.append(_label_key(item))
        self.root.expand()
        if selected is not None:
            self._restore_cursor(selected)

    def _restore_cursor(self, selected: Selection) -> None:
        """Put the cursor back on the node of selected, or its nearest shown ancestor.

        Found by row in the new tree: a node's own line is known only once Textual
        lays the tree out again, so moving to the node itself would land on All.
        """
        rows = {node.data: row for row, node in enumerate(self._shown_nodes())}
        for wanted in (selected, *selected.ancestors):
            if wanted in rows:
                self.move_cursor_to_line(rows[wanted])
                return

    def _shown_nodes(self) -> list[TreeNode[Selection]]:
        """The nodes on screen, top to bottom: not the root, nor what a collapsed node holds."""
        shown: list[TreeNode[Selection]] = []
        stack = list(reversed(self.root.children))
        while stack:
            node = stack.pop()
            shown.append(node)
            if node.is_expanded:
                stack.extend(reversed(node.children))
        return shown

    @staticmethod
    def _label(item: TreeItem) -> Text:
        name = clean_line(item.label)
        if len(name) > MAX_LABEL_CHARS:  # a name from a cache older than the bound
            name = name[: MAX_LABEL_CHARS - 1] + "…"
        label = Text(name, style="bold" if item.unread_count else "")
        if item.selection.kind in _MARKED_KINDS and item.failed:
            label.append(" ✗", style="bold red")
        if item.shown_count:
            label.append(f" ({item.shown_count})", style="dim")
        return label

    def _all_nodes(self) -> list[TreeNode[Selection]]:
        found: list[TreeNode[Selection]] = []
        stack = list(self.root.children)
        while stack:
            node = stack.pop()
            found.append(node)
            stack.extend(node.children)
        return found

    def on_tree_node_selected(self, event: Tree.NodeSelected[Selection]) -> None:
        event.stop()
        if event.node.data is not None:
            self.post_message(self.SelectionChosen(event.node.data))


def _preorder_items(items: list[TreeItem]) -> list[tuple[Selection | None, TreeItem]]:
    """Every item with its parent's selection (None at the top), parents first, in order."""
    found: list[tuple[Selection | None, TreeItem]] = []
    stack: list[tuple[Selection | None, TreeItem]] = [(None, item) for item in reversed(items)]
    while stack:
        parent, item = stack.pop()
        found.append((parent, item))
        stack.extend((item.selection, child) for child in reversed(item.children))
    return found
