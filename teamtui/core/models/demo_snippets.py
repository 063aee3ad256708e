"""Function-sized code the demo developer writes when the request asks for a function rather than
a service: a palindrome check and Fibonacci numbers (sorting and word counts are in
``demo_snippets_more``). Markers as in ``demo_code_templates``; ``+`` lines are the edge-case tests
a revision adds after a review.
"""

PALINDROME = {
    "Python": [("palindrome.py", r'''"""Palindrome check that ignores case, spaces and punctuation.

Test: python -m pytest palindrome.py
"""


def is_palindrome(text: str) -> bool:
    """True if ``text`` reads the same backwards, counting only letters and digits."""
    chars = [c.lower() for c in text if c.isalnum()]
    return chars == chars[::-1]


def test_palindromes() -> None:
    assert is_palindrome("A man, a plan, a canal: Panama")
    assert is_palindrome("racecar")
    assert not is_palindrome("palindrome")
@+|
@+|
@+|def test_edge_cases() -> None:
@+|    assert is_palindrome("")  # nothing to mismatch
@+|    assert is_palindrome("x")
@+|    assert is_palindrome("No 'x' in Nixon")
''')],
    "Go": [("palindrome.go", r'''// palindrome.go    Test: go test
package palindrome

import "unicode"

// IsPalindrome reports whether s reads the same backwards, counting only letters and digits.
func IsPalindrome(s string) bool {
    var rs []rune
    for _, r := range s {
        if unicode.IsLetter(r) || unicode.IsDigit(r) {
            rs = append(rs, unicode.ToLower(r))
        }
    }
    for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
        if rs[i] != rs[j] {
            return false
        }
    }
    return true
}
'''), ("palindrome_test.go", r'''// palindrome_test.go
package palindrome

import "testing"

func TestIsPalindrome(t *testing.T) {
    cases := []struct {
        input string
        want  bool
    }{
        {"A man, a plan, a canal: Panama", true},
        {"racecar", true},
        {"palindrome", false},
@+|        {"", true},
@+|        {"x", true},
@+|        {"No 'x' in Nixon", true},
    }
    for _, c := range cases {
        if got := IsPalindrome(c.input); got != c.want {
            t.Errorf("IsPalindrome(%q) = %v, want %v", c.input, got, c.want)
        }
    }
}
''')],
    "Rust": [("src/lib.rs", r'''// src/lib.rs    Test: cargo test
/// True if `text` reads the same backwards, counting only letters and digits.
pub fn is_palindrome(text: &str) -> bool {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    chars.iter().eq(chars.iter().rev())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palindromes() {
        assert!(is_palindrome("A man, a plan, a canal: Panama"));
        assert!(is_palindrome("racecar"));
        assert!(!is_palindrome("palindrome"));
    }
@+|
@+|    #[test]
@+|    fn edge_cases() {
@+|        assert!(is_palindrome(""));
@+|        assert!(is_palindrome("x"));
@+|        assert!(is_palindrome("No 'x' in Nixon"));
@+|    }
}
''')],
    "TypeScript": [("{{base}}", r'''// {{base}}    Test: {{test}}
/** True if `text` reads the same backwards, counting only letters and digits. */
export function isPalindrome(text[[: string]])[[: boolean]] {
  const chars = [...text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "")];
  return chars.join("") === chars.reverse().join("");
}
'''), ("{{testbase}}", r'''// {{testbase}}
import { test } from "node:test";
import assert from "node:assert/strict";
import { isPalindrome } from "{{module}}";

test("palindromes", () => {
  assert.equal(isPalindrome("A man, a plan, a canal: Panama"), true);
  assert.equal(isPalindrome("racecar"), true);
  assert.equal(isPalindrome("palindrome"), false);
});
@+|
@+|test("edge cases", () => {
@+|  assert.equal(isPalindrome(""), true);
@+|  assert.equal(isPalindrome("x"), true);
@+|  assert.equal(isPalindrome("No 'x' in Nixon"), true);
@+|});
''')],
    "Java": [("Palindrome.java", r'''// Palindrome.java
public final class Palindrome {
    private Palindrome() {}

    /** True if text reads the same backwards, counting only letters and digits. */
    public static boolean isPalindrome(String text) {
        String chars = text.toLowerCase().replaceAll("[^\\p{L}\\p{N}]", "");
        return new StringBuilder(chars).reverse().toString().equals(chars);
    }
}
'''), ("PalindromeTest.java", r'''// PalindromeTest.java (JUnit 5)
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PalindromeTest {
    @Test
    void palindromes() {
        assertTrue(Palindrome.isPalindrome("A man, a plan, a canal: Panama"));
        assertTrue(Palindrome.isPalindrome("racecar"));
        assertFalse(Palindrome.isPalindrome("palindrome"));
    }
@+|
@+|    @Test
@+|    void edgeCases() {
@+|        assertTrue(Palindrome.isPalindrome(""));
@+|        assertTrue(Palindrome.isPalindrome("x"));
@+|    }
}
''')],
}

FIBONACCI = {
    "Python": [("fibonacci.py", r'''"""Fibonacci numbers without recursion.  Test: python -m pytest fibonacci.py"""


def fibonacci(n: int) -> int:
    """The n-th Fibonacci number (fibonacci(0) == 0, fibonacci(1) == 1); O(n) time, O(1) space."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


def test_first_numbers() -> None:
    assert [fibonacci(i) for i in range(10)] == [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]
@+|
@+|
@+|def test_large_and_invalid() -> None:
@+|    assert fibonacci(90) == 2880067194370816120  # no overflow in Python
@+|    import pytest
@+|
@+|    with pytest.raises(ValueError):
@+|        fibonacci(-1)
''')],
    "Go": [("fib.go", r'''// fib.go    Test: go test
package fib

import "fmt"

// Fibonacci returns the n-th Fibonacci number; uint64 holds up to n = 93.
func Fibonacci(n int) (uint64, error) {
    if n < 0 || n > 93 {
        return 0, fmt.Errorf("n must be in 0..93, got %d", n)
    }
    var a, b uint64 = 0, 1
    for i := 0; i < n; i++ {
        a, b = b, a+b
    }
    return a, nil
}
'''), ("fib_test.go", r'''// fib_test.go
package fib

import "testing"

func TestFibonacci(t *testing.T) {
    want := []uint64{0, 1, 1, 2, 3, 5, 8, 13, 21, 34}
    for n, w := range want {
        if got, err := Fibonacci(n); err != nil || got != w {
            t.Errorf("Fibonacci(%d) = %d, %v; want %d", n, got, err, w)
        }
    }
@+|    if _, err := Fibonacci(94); err == nil {
@+|        t.Error("Fibonacci(94) overflows uint64 and must fail")
@+|    }
}
''')],
    "Rust": [("src/lib.rs", r'''// src/lib.rs    Test: cargo test
/// The n-th Fibonacci number, or None when it does not fit in a u64 (n > 93).
pub fn fibonacci(n: u32) -> Option<u64> {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let next = a.checked_add(b)?;
        a = b;
        b = next;
    }
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_numbers() {
        let got: Vec<u64> = (0..10).map(|n| fibonacci(n).unwrap()).collect();
        assert_eq!(got, vec![0, 1, 1, 2, 3, 5, 8, 13, 21, 34]);
    }
@+|
@+|    #[test]
@+|    fn overflow_is_none() {
@+|        assert!(fibonacci(92).is_some());
@+|        assert_eq!(fibonacci(200), None);
@+|    }
}
''')],
    "TypeScript": [("{{base}}", r'''// {{base}}    Test: {{test}}
/** The n-th Fibonacci number as a bigint (exact for any n >= 0). */
export function fibonacci(n[[: number]])[[: bigint]] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  let [a, b] = [0n, 1n];
  for (let i = 0; i < n; i++) [a, b] = [b, a + b];
  return a;
}
'''), ("{{testbase}}", r'''// {{testbase}}
import { test } from "node:test";
import assert from "node:assert/strict";
import { fibonacci } from "{{module}}";

test("first numbers", () => {
  assert.deepEqual([...Array(10).keys()].map(fibonacci), [0n, 1n, 1n, 2n, 3n, 5n, 8n, 13n, 21n, 34n]);
});
@+|
@+|test("invalid input", () => {
@+|  assert.throws(() => fibonacci(-1), RangeError);
@+|  assert.throws(() => fibonacci(2.5), RangeError);
@+|});
''')],
    "Java": [("Fibonacci.java", r'''// Fibonacci.java
import java.math.BigInteger;

public final class Fibonacci {
    private Fibonacci() {}

    /** The n-th Fibonacci number, exact for any n >= 0. */
    public static BigInteger of(int n) {
        if (n < 0) throw new IllegalArgumentException("n must be >= 0, got " + n);
        BigInteger a = BigInteger.ZERO, b = BigInteger.ONE;
        for (int i = 0; i < n; i++) {
            BigInteger next = a.add(b);
            a = b;
            b = next;
        }
        return a;
    }
}
'''), ("FibonacciTest.java", r'''// FibonacciTest.java (JUnit 5)
import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class FibonacciTest {
    @Test
    void firstNumbers() {
        assertEquals(BigInteger.valueOf(34), Fibonacci.of(9));
        assertEquals(BigInteger.ZERO, Fibonacci.of(0));
    }
@+|
@+|    @Test
@+|    void rejectsNegative() {
@+|        assertThrows(IllegalArgumentException.class, () -> Fibonacci.of(-1));
@+|    }
}
''')],
}
