"""Function-sized code, continued: a stable merge sort, word frequencies, and (Python only) a
SQLite to PostgreSQL migration script. Markers as in ``demo_code_templates``.
"""

SORT = {
    "Python": [("merge_sort.py", r'''"""A stable merge sort that returns a new list.

Test: python -m pytest merge_sort.py
"""
from typing import TypeVar

T = TypeVar("T")


def merge_sort(items: list[T]) -> list[T]:
    """Sorted copy of ``items``; equal items keep their order (stable), O(n log n)."""
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    left, right = merge_sort(items[:mid]), merge_sort(items[mid:])
    merged: list[T] = []
    i = j = 0
    while i < len(left) and j < len(right):
        if right[j] < left[i]:  # strict: ties take from the left, which keeps the sort stable
            merged.append(right[j])
            j += 1
        else:
            merged.append(left[i])
            i += 1
    return merged + left[i:] + right[j:]


def test_sorts() -> None:
    assert merge_sort([5, 2, 9, 1, 5, 6]) == [1, 2, 5, 5, 6, 9]
@+|
@+|
@+|def test_edge_cases() -> None:
@+|    assert merge_sort([]) == []
@+|    assert merge_sort([1]) == [1]
@+|    assert merge_sort([3, 2, 1]) == [1, 2, 3]
''')],
    "Go": [("sort.go", r'''// sort.go    Test: go test
package sorting

import "cmp"

// MergeSort returns a sorted copy of items; equal items keep their order (stable).
func MergeSort[T cmp.Ordered](items []T) []T {
    if len(items) <= 1 {
        return append([]T(nil), items...)
    }
    mid := len(items) / 2
    left, right := MergeSort(items[:mid]), MergeSort(items[mid:])
    merged := make([]T, 0, len(items))
    i, j := 0, 0
    for i < len(left) && j < len(right) {
        if right[j] < left[i] { // strict: ties take from the left, which keeps the sort stable
            merged = append(merged, right[j])
            j++
        } else {
            merged = append(merged, left[i])
            i++
        }
    }
    merged = append(merged, left[i:]...)
    return append(merged, right[j:]...)
}
'''), ("sort_test.go", r'''// sort_test.go
package sorting

import (
    "slices"
    "testing"
)

func TestMergeSort(t *testing.T) {
    cases := [][]int{
        {5, 2, 9, 1, 5, 6},
        {3, 2, 1},
@+|        {},
@+|        {1},
    }
    for _, input := range cases {
        want := slices.Clone(input)
        slices.Sort(want)
        if got := MergeSort(input); !slices.Equal(got, want) {
            t.Errorf("MergeSort(%v) = %v, want %v", input, got, want)
        }
    }
}
''')],
    "Rust": [("src/lib.rs", r'''// src/lib.rs    Test: cargo test
/// A sorted copy of `items`; equal items keep their order (stable).
pub fn merge_sort<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    if items.len() <= 1 {
        return items.to_vec();
    }
    let (left, right) = items.split_at(items.len() / 2);
    let (left, right) = (merge_sort(left), merge_sort(right));
    let mut merged = Vec::with_capacity(items.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if right[j] < left[i] {
            merged.push(right[j].clone());
            j += 1;
        } else {
            merged.push(left[i].clone());
            i += 1;
        }
    }
    merged.extend_from_slice(&left[i..]);
    merged.extend_from_slice(&right[j..]);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts() {
        assert_eq!(merge_sort(&[5, 2, 9, 1, 5, 6]), vec![1, 2, 5, 5, 6, 9]);
@+|        assert_eq!(merge_sort::<i32>(&[]), Vec::<i32>::new());
@+|        assert_eq!(merge_sort(&[1]), vec![1]);
    }
}
''')],
    "TypeScript": [("{{base}}", r'''// {{base}}    Test: {{test}}
/** A sorted copy of `items`; equal items keep their order (stable). */
export function mergeSort[[<T>]](
  items[[: readonly T[]]],
  less[[: (a: T, b: T) => boolean]] = (a[[: any]], b[[: any]]) => a < b,
)[[: T[]]] {
  if (items.length <= 1) return [...items];
  const mid = Math.floor(items.length / 2);
  const left = mergeSort(items.slice(0, mid), less);
  const right = mergeSort(items.slice(mid), less);
  const merged[[: T[]]] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    merged.push(less(right[j], left[i]) ? right[j++] : left[i++]); // ties take the left: stable
  }
  return merged.concat(left.slice(i), right.slice(j));
}
'''), ("{{testbase}}", r'''// {{testbase}}
import { test } from "node:test";
import assert from "node:assert/strict";
import { mergeSort } from "{{module}}";

test("sorts numbers", () => {
  assert.deepEqual(mergeSort([5, 2, 9, 1, 5, 6]), [1, 2, 5, 5, 6, 9]);
});
@+|
@+|test("edge cases", () => {
@+|  assert.deepEqual(mergeSort([]), []);
@+|  assert.deepEqual(mergeSort(["b", "a"]), ["a", "b"]);
@+|});
''')],
    "Java": [("MergeSort.java", r'''// MergeSort.java
import java.util.ArrayList;
import java.util.List;

public final class MergeSort {
    private MergeSort() {}

    /** A sorted copy of items; equal items keep their order (stable). */
    public static <T extends Comparable<T>> List<T> sort(List<T> items) {
        if (items.size() <= 1) return new ArrayList<>(items);
        int mid = items.size() / 2;
        List<T> left = sort(items.subList(0, mid)), right = sort(items.subList(mid, items.size()));
        List<T> merged = new ArrayList<>(items.size());
        int i = 0, j = 0;
        while (i < left.size() && j < right.size()) {
            merged.add(right.get(j).compareTo(left.get(i)) < 0 ? right.get(j++) : left.get(i++));
        }
        merged.addAll(left.subList(i, left.size()));
        merged.addAll(right.subList(j, right.size()));
        return merged;
    }
}
'''), ("MergeSortTest.java", r'''// MergeSortTest.java (JUnit 5)
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class MergeSortTest {
    @Test
    void sorts() {
        assertEquals(List.of(1, 2, 5, 5, 6, 9), MergeSort.sort(List.of(5, 2, 9, 1, 5, 6)));
    }
@+|
@+|    @Test
@+|    void edgeCases() {
@+|        assertEquals(List.of(), MergeSort.sort(List.<Integer>of()));
@+|        assertEquals(List.of(1), MergeSort.sort(List.of(1)));
@+|    }
}
''')],
}

WORDS = {
    "Python": [("word_count.py", r'''"""Count word frequencies in a text.

Run: python word_count.py FILE    Test: python -m pytest word_count.py
"""
import re
import sys
from collections import Counter


def word_counts(text: str, top: int = 10) -> list[tuple[str, int]]:
    """The ``top`` most frequent words, case-insensitive; ties in order of first appearance."""
    return Counter(re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())).most_common(top)


def test_counts() -> None:
    assert word_counts("the cat and the hat", top=2) == [("the", 2), ("cat", 1)]
@+|
@+|
@+|def test_edge_cases() -> None:
@+|    assert word_counts("") == []
@+|    assert word_counts("Don't stop, DON'T!") == [("don't", 2), ("stop", 1)]


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        for word, count in word_counts(handle.read()):
            print(f"{count:6} {word}")
''')],
}

MIGRATION = [("migrate.py", r'''"""Copy every table of a SQLite database into PostgreSQL.

Run: python migrate.py app.db postgresql://user@localhost/app    (needs: pip install "psycopg[binary]")
Tables are created if missing; rows are copied in batches inside one transaction per table.
"""
import sqlite3
import sys

import psycopg

TYPES = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION", "TEXT": "TEXT", "BLOB": "BYTEA", "": "TEXT"}
BATCH = 1000


def tables(src: sqlite3.Connection) -> list[str]:
    rows = src.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
    return [name for (name,) in rows]


def create_sql(src: sqlite3.Connection, table: str) -> str:
    cols = []
    for _cid, name, decl, notnull, _default, pk in src.execute(f'PRAGMA table_info("{table}")'):
        pg_type = TYPES.get((decl or "").upper().split("(")[0], "TEXT")
        cols.append(f'"{name}" {pg_type}' + (" NOT NULL" if notnull else "") + (" PRIMARY KEY" if pk == 1 else ""))
    return f'CREATE TABLE IF NOT EXISTS "{table}" ({", ".join(cols)})'


def copy_table(src: sqlite3.Connection, dst: psycopg.Connection, table: str) -> int:
    cursor = src.execute(f'SELECT * FROM "{table}"')
    names = ", ".join(f'"{d[0]}"' for d in cursor.description)
    marks = ", ".join(["%s"] * len(cursor.description))
    copied = 0
    with dst.transaction(), dst.cursor() as cur:
        cur.execute(create_sql(src, table))
        while rows := cursor.fetchmany(BATCH):
            cur.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
            copied += len(rows)
    return copied


def main(sqlite_path: str, postgres_url: str) -> None:
    src = sqlite3.connect(sqlite_path)
    with psycopg.connect(postgres_url) as dst:
        for table in tables(src):
            print(f"{table}: {copy_table(src, dst, table)} rows")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python migrate.py SQLITE_FILE POSTGRES_URL")
    main(sys.argv[1], sys.argv[2])
''')]

#: (pattern on the request, snippets by language); the first match wins.
SNIPPET_KINDS = [
    (r"palindrom", "palindrome"),
    (r"fibonacci", "fibonacci"),
    (r"\bsort", "sort"),
    (r"word (?:count|frequenc)|count(?:s|ing)? (?:the )?words|frequen\w* of words", "words"),
]
