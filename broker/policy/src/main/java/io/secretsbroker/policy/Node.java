package io.secretsbroker.policy;

import java.util.List;

/**
 * The syntax tree both policy syntaxes parse to, shaped like HCL 1's: an object is a list of
 * items, each with one or more keys and a value. A JSON member is an item with one key.
 */
sealed interface Node permits Node.Scalar, Node.ListNode, Node.ObjectNode {

  /** The node's first token, for error positions. */
  Token first();

  /** A string, heredoc, number, boolean or (JSON) null. */
  record Scalar(Token token) implements Node {
    @Override
    public Token first() {
      return token;
    }
  }

  /** {@code [ ... ]}. */
  record ListNode(Token open, List<Node> elements) implements Node {
    public ListNode {
      elements = List.copyOf(elements);
    }

    @Override
    public Token first() {
      return open;
    }
  }

  /** {@code { ... }}, or a whole file. */
  record ObjectNode(Token open, List<Item> items) implements Node {
    public ObjectNode {
      items = List.copyOf(items);
    }

    @Override
    public Token first() {
      return open;
    }
  }

  /**
   * {@code key = value}, {@code key "label" { ... }} or a JSON {@code "key": value}.
   *
   * @param keys the key and any labels, identifiers or strings; never empty
   * @param assigned whether the value followed {@code =} or {@code :} (rather than being a block)
   */
  record Item(List<Token> keys, boolean assigned, Node value) {
    public Item {
      keys = List.copyOf(keys);
    }

    Token key() {
      return keys.get(0);
    }
  }

  /** Describes a node for an error message: the token for a scalar, else "a list" or "an object". */
  static String describe(Node node) {
    if (node instanceof Scalar scalar) {
      return scalar.token().describe();
    }
    return node instanceof ListNode ? "a list" : "an object";
  }
}
