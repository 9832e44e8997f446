package io.secretsbroker.policy;

import io.secretsbroker.policy.Node.Item;
import io.secretsbroker.policy.Node.ListNode;
import io.secretsbroker.policy.Node.ObjectNode;
import io.secretsbroker.policy.Node.Scalar;
import io.secretsbroker.policy.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive-descent parser for HCL 1, the syntax of Vault's policies, into a {@link Node} tree.
 *
 * <pre>
 * file    = { item [","] } EOF
 * item    = key { key } ( "{" { item [","] } "}" | "=" value )   (only one key before "=")
 * key     = IDENT | STRING
 * value   = STRING | HEREDOC | NUMBER | FLOAT | BOOL | "{" { item [","] } "}" | list
 * list    = "[" { "," | element } "]"     (an element must be followed by "," or "]")
 * element = STRING | HEREDOC | NUMBER | FLOAT | BOOL | "{" ... "}" | list
 * </pre>
 * As in HCL 1, commas between items are optional and a list may hold empty elements
 * ({@code ["read",, ]} is {@code ["read"]}). Keys of the top level and of a {@code path} stanza are
 * checked as soon as they are read, so the first fault in the file is the one reported.
 */
final class HclParser {
  private enum Context { TOP, STANZA, NESTED }

  private final Lexer lexer;
  private final String fileName;
  private Token token;

  HclParser(String text, String fileName) {
    this.lexer = new Lexer(text, fileName);
    this.fileName = fileName;
    this.token = lexer.next();
  }

  /** Parses the whole file as the items of one object. */
  ObjectNode parseFile() {
    Token start = token;
    List<Item> items = new ArrayList<>();
    while (token.kind() != Kind.EOF) {
      items.add(item(Context.TOP, null));
      if (token.kind() == Kind.COMMA) {
        advance();
      }
    }
    return new ObjectNode(start, items);
  }

  private Item item(Context context, String within) {
    List<Token> keys = new ArrayList<>();
    while (token.kind() == Kind.IDENT || token.kind() == Kind.STRING) {
      if (keys.isEmpty()) {
        checkKey(context, token);
      }
      keys.add(token);
      advance();
    }
    if (keys.isEmpty()) {
      throw error(token, context == Context.TOP
          ? "expected a 'path \"<pattern>\" { ... }' stanza, found " + token.describe()
          : "expected a key such as 'capabilities', or '}' to close " + within + ", found " + token.describe());
    }
    Token key = keys.get(0);
    if (token.kind() == Kind.EQUALS) {
      if (keys.size() > 1) {
        throw error(token, "'=' cannot follow more than one key (" + keys.size() + " here); write "
            + describeKeys(keys) + " { ... }");
      }
      advance();
      return new Item(keys, true, value(key));
    }
    if (token.kind() == Kind.LBRACE) {
      boolean stanza = context == Context.TOP && key.text().equals("path");
      String what = stanza && keys.size() > 1 ? "the stanza of path " + Texts.quote(keys.get(1).text()) : "the block '" + Texts.clip(key.text()) + "'";
      return new Item(keys, false, object(stanza ? Context.STANZA : Context.NESTED, what));
    }
    if (context == Context.TOP && key.text().equals("path") && keys.size() > 1) {
      throw error(token, "expected '{' after path " + Texts.quote(keys.get(1).text()) + ", found " + token.describe());
    }
    if (keys.size() == 1) {
      throw error(token, "expected '=' after '" + Texts.clip(key.text()) + "', found " + token.describe());
    }
    throw error(token, "expected '{' after " + describeKeys(keys) + ", found " + token.describe());
  }

  private void checkKey(Context context, Token key) {
    if (context == Context.TOP) {
      PolicyDecoder.checkTopLevelKey(key, fileName);
    } else if (context == Context.STANZA) {
      PolicyDecoder.checkStanzaKey(key, fileName);
    }
  }

  private ObjectNode object(Context context, String what) {
    Token open = token;
    advance();
    List<Item> items = new ArrayList<>();
    String within = what + " opened at " + open.at();
    while (token.kind() != Kind.RBRACE) {
      if (token.kind() == Kind.EOF) {
        throw error(token, "expected '}' to close " + within + ", found end of file");
      }
      items.add(item(context, within));
      if (token.kind() == Kind.COMMA) {
        advance();
      }
    }
    advance();
    return new ObjectNode(open, items);
  }

  private Node value(Token key) {
    Token t = token;
    if (t.isScalar()) {
      advance();
      return new Scalar(t);
    }
    switch (t.kind()) {
      case LBRACE -> {
        return object(Context.NESTED, "the object of '" + Texts.clip(key.text()) + "'");
      }
      case LBRACKET -> {
        return list(key);
      }
      case IDENT -> throw error(t, key.text().equals("capabilities")
          ? "capabilities must be a list of quoted strings like [\"read\"], found " + t.describe()
          : "expected a value for '" + Texts.clip(key.text()) + "' (strings are quoted), found " + t.describe());
      default -> throw error(t, "expected a value for '" + Texts.clip(key.text()) + "', found " + t.describe());
    }
  }

  private ListNode list(Token key) {
    Token open = token;
    advance();
    boolean capabilities = key.text().equals("capabilities");
    List<Node> elements = new ArrayList<>();
    boolean needComma = false;
    while (true) {
      Token t = token;
      if (t.kind() == Kind.EOF) {
        throw error(t, "the list opened at " + open.at() + " is not closed: expected ']', found end of file");
      }
      if (t.kind() == Kind.RBRACKET) {
        advance();
        return new ListNode(open, elements);
      }
      if (t.kind() == Kind.COMMA) {
        advance();
        needComma = false;
        continue;
      }
      if (needComma) {
        throw error(t, "expected ',' or ']' after " + (capabilities ? "a capability" : "an element")
            + " in the list opened at " + open.at() + ", found " + t.describe());
      }
      if (t.kind() == Kind.IDENT) {
        throw error(t, capabilities
            ? "capabilities must be quoted: write " + Texts.quote(t.text()) + ", not " + Texts.clip(t.text())
            : "list elements must be quoted strings, numbers, lists or objects, found " + t.describe());
      }
      if (t.isScalar()) {
        advance();
        elements.add(new Scalar(t));
      } else if (t.kind() == Kind.LBRACE) {
        elements.add(object(Context.NESTED, "the object in the list opened at " + open.at()));
      } else if (t.kind() == Kind.LBRACKET) {
        elements.add(list(key));
      } else {
        throw error(t, "expected " + (capabilities ? "a quoted capability" : "a value") + " or ']' in the list opened at "
            + open.at() + ", found " + t.describe());
      }
      needComma = true;
    }
  }

  private static String describeKeys(List<Token> keys) {
    StringBuilder b = new StringBuilder();
    for (Token k : keys) {
      b.append(b.length() == 0 ? "" : " ").append(k.kind() == Kind.STRING ? Texts.quote(k.text()) : Texts.clip(k.text()));
    }
    return b.toString();
  }

  private void advance() {
    token = lexer.next();
  }

  private PolicyParseException error(Token at, String detail) {
    return new PolicyParseException(fileName, at.line(), at.column(), detail);
  }
}
