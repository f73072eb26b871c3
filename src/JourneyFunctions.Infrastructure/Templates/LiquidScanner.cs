using System.Text;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>One <c>{{ output }}</c>, <c>{% tag %}</c> or text span of a template, with the line it starts on.</summary>
internal sealed record LiquidToken(LiquidTokenKind Kind, string Text, int Line, string? TagName = null, string Markup = "");

internal enum LiquidTokenKind
{
    Text,
    Output,
    Tag,
}

/// <summary>A variable a template reads: its root (contact), the dotted path as written and where.</summary>
internal sealed record LiquidReference(string Root, string Path, int Line);

/// <summary>What a scan learnt about one template file.</summary>
internal sealed record LiquidScan(
    IReadOnlyList<LiquidToken> Tokens,
    IReadOnlyList<(int Line, string Message)> Problems,
    IReadOnlyList<LiquidReference> References,
    IReadOnlySet<string> Defined,
    IReadOnlyList<(string Name, int Line)> Includes);

/// <summary>
/// A line-aware lexical pass over a Liquid file. DotLiquid parses and renders but keeps no line numbers and no
/// readable tree of expressions, so this pass gives validation what a marketer needs: where a block is left open, which
/// variables are read on which line, which are defined by assign/capture/for, and which partials are included. It also
/// lets the HTML body rewrite every output to end in the HTML encoder.
/// </summary>
internal static partial class LiquidScanner
{
    private static readonly HashSet<string> BlockTags = new(StringComparer.Ordinal) { "if", "unless", "for", "case", "capture", "tablerow", "ifchanged", "block" };

    private static readonly HashSet<string> SimpleTags = new(StringComparer.Ordinal)
    {
        "assign", "include", "cycle", "increment", "decrement", "break", "continue", "extends", "param", "else", "elsif", "when",
    };

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "and", "or", "contains", "true", "false", "nil", "null", "empty", "blank", "in", "reversed", "with", "for", "as",
    };

    private static readonly Dictionary<string, string[]> MidTags = new(StringComparer.Ordinal)
    {
        ["else"] = ["if", "unless", "for", "case"],
        ["elsif"] = ["if", "unless"],
        ["when"] = ["case"],
    };

    public static LiquidScan Scan(string source)
    {
        var tokens = Tokenize(source, out var problems);
        var references = new List<LiquidReference>();
        var defined = new HashSet<string>(StringComparer.Ordinal) { "forloop", "tablerowloop" };
        var includes = new List<(string, int)>();
        var stack = new Stack<(string Name, int Line)>();
        foreach (var token in tokens)
        {
            if (token.Kind == LiquidTokenKind.Output)
            {
                references.AddRange(References(token.Markup, token.Line));
                continue;
            }

            if (token.Kind != LiquidTokenKind.Tag || token.TagName is null)
            {
                continue;
            }

            var name = token.TagName;
            if (name is "raw" or "comment" or "literal" or "endraw" or "endcomment" or "endliteral")
            {
                continue;
            }

            if (name.StartsWith("end", StringComparison.Ordinal) && name.Length > 3)
            {
                var opened = name[3..];
                if (stack.Count == 0 || stack.Peek().Name != opened)
                {
                    problems.Add((token.Line, stack.Count == 0
                        ? $"\"{name}\" has no matching \"{opened}\" before it"
                        : $"\"{name}\" closes nothing: the \"{stack.Peek().Name}\" opened on line {stack.Peek().Line} must be closed first"));
                }
                else
                {
                    stack.Pop();
                }

                continue;
            }

            if (MidTags.TryGetValue(name, out var parents) && (stack.Count == 0 || !parents.Contains(stack.Peek().Name)))
            {
                problems.Add((token.Line, $"\"{name}\" is only allowed inside {string.Join(" or ", parents.Select(p => $"\"{p}\""))}"));
                continue;
            }

            if (!BlockTags.Contains(name) && !SimpleTags.Contains(name))
            {
                problems.Add((token.Line, $"\"{name}\" is not a Liquid tag"));
                continue;
            }

            if (BlockTags.Contains(name))
            {
                stack.Push((name, token.Line));
            }

            ReadTag(name, token, references, defined, includes, problems);
        }

        foreach (var (name, line) in stack)
        {
            problems.Add((line, $"the \"{name}\" opened here is never closed with \"end{name}\""));
        }

        return new LiquidScan(tokens, problems, references, defined, includes);
    }

    /// <summary>Rewrites every output of an HTML body to end in the HTML encoder, unless its last filter is <c>raw</c>.</summary>
    public static string EscapeOutputs(IReadOnlyList<LiquidToken> tokens)
    {
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            if (token.Kind != LiquidTokenKind.Output)
            {
                builder.Append(token.Text);
                continue;
            }

            var open = token.Text.StartsWith("{{-", StringComparison.Ordinal) ? "{{-" : "{{";
            var close = token.Text.EndsWith("-}}", StringComparison.Ordinal) && token.Text.Length > open.Length + 2 ? "-}}" : "}}";
            var markup = token.Markup.Trim();
            builder.Append(open).Append(' ').Append(markup);
            if (!LastFilterIsRaw().IsMatch(markup))
            {
                builder.Append(" | auto_escape");
            }

            builder.Append(' ').Append(close);
        }

        return builder.ToString();
    }

    private static List<LiquidToken> Tokenize(string source, out List<(int, string)> problems)
    {
        problems = [];
        var tokens = new List<LiquidToken>();
        var position = 0;
        var line = 1;
        string? rawEnd = null;
        while (position < source.Length)
        {
            var next = NextOpening(source, position);
            if (next < 0)
            {
                tokens.Add(new LiquidToken(LiquidTokenKind.Text, source[position..], line));
                break;
            }

            if (next > position)
            {
                var text = source[position..next];
                tokens.Add(new LiquidToken(LiquidTokenKind.Text, text, line));
                line += Count(text);
            }

            var isOutput = source[next + 1] == '{';
            var closing = isOutput ? "}}" : "%}";
            var end = source.IndexOf(closing, next + 2, StringComparison.Ordinal);
            if (end < 0)
            {
                problems.Add((line, isOutput ? "\"{{\" is never closed with \"}}\"" : "\"{%\" is never closed with \"%}\""));
                tokens.Add(new LiquidToken(LiquidTokenKind.Text, source[next..], line));
                break;
            }

            var tokenText = source[next..(end + 2)];
            var markup = tokenText[2..^2].Trim('-').Trim();
            if (rawEnd is not null)
            {
                var isEnd = !isOutput && FirstWord(markup) == rawEnd;
                tokens.Add(new LiquidToken(isEnd ? LiquidTokenKind.Tag : LiquidTokenKind.Text, tokenText, line, isEnd ? rawEnd : null, isEnd ? string.Empty : markup));
                rawEnd = isEnd ? null : rawEnd;
            }
            else if (isOutput)
            {
                tokens.Add(new LiquidToken(LiquidTokenKind.Output, tokenText, line, null, markup));
            }
            else
            {
                var name = FirstWord(markup);
                if (name.Length == 0)
                {
                    problems.Add((line, "an empty \"{% %}\" tag"));
                }

                tokens.Add(new LiquidToken(LiquidTokenKind.Tag, tokenText, line, name, markup[name.Length..].Trim()));
                if (name is "raw" or "comment" or "literal")
                {
                    rawEnd = "end" + name;
                }
            }

            line += Count(tokenText);
            position = end + 2;
        }

        if (rawEnd is not null)
        {
            problems.Add((line, $"a \"{rawEnd[3..]}\" block is never closed with \"{rawEnd}\""));
        }

        return tokens;
    }

    private static void ReadTag(string name, LiquidToken token, List<LiquidReference> references, HashSet<string> defined, List<(string, int)> includes, List<(int, string)> problems)
    {
        var markup = token.Markup;
        switch (name)
        {
            case "assign":
                var equals = markup.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    problems.Add((token.Line, "\"assign\" needs a name and a value: {% assign name = value %}"));
                    return;
                }

                defined.Add(markup[..equals].Trim());
                references.AddRange(References(markup[(equals + 1)..], token.Line));
                return;
            case "capture" or "increment" or "decrement":
                defined.Add(markup.Trim().Trim('"', '\''));
                return;
            case "for" or "tablerow":
                var match = ForMarkup().Match(markup);
                if (!match.Success)
                {
                    problems.Add((token.Line, $"\"{name}\" needs the form {{% {name} item in collection %}}"));
                    return;
                }

                defined.Add(match.Groups["var"].Value);
                references.AddRange(References(match.Groups["rest"].Value, token.Line));
                return;
            case "include":
                var partial = PartialName().Match(markup);
                if (!partial.Success)
                {
                    problems.Add((token.Line, "\"include\" needs a quoted partial name: {% include 'footer' %}"));
                    return;
                }

                includes.Add((partial.Groups["name"].Value, token.Line));
                var rest = markup[partial.Length..];
                foreach (Match argument in NamedArgument().Matches(rest))
                {
                    defined.Add(argument.Groups["key"].Value);
                }

                references.AddRange(References(rest, token.Line));
                return;
            default:
                references.AddRange(References(markup, token.Line));
                return;
        }
    }

    private static IEnumerable<LiquidReference> References(string expression, int line)
    {
        // Bracketed string keys become dotted segments, then string literals are blanked (same length, so indexes and
        // line counts still hold), and what is left is scanned for variable paths.
        var text = BracketKey().Replace(expression, m => "." + m.Groups["key"].Value);
        text = StringLiteral().Replace(text, m => new string(' ', m.Length));
        foreach (Match match in VariablePath().Matches(text))
        {
            var before = text[..match.Index].TrimEnd();
            var after = text[(match.Index + match.Length)..].TrimStart();
            if ((before.Length > 0 && (before[^1] == '|' || char.IsAsciiDigit(before[^1]) || before[^1] == '.'))
                || (after.Length > 0 && after[0] == ':'))
            {
                continue;
            }

            var path = match.Value;
            var root = path.Split('.', '[')[0].TrimEnd('?');
            if (Keywords.Contains(root))
            {
                continue;
            }

            yield return new LiquidReference(root, path, line + Count(text[..match.Index]));
        }
    }

    private static int NextOpening(string source, int from)
    {
        var output = source.IndexOf("{{", from, StringComparison.Ordinal);
        var tag = source.IndexOf("{%", from, StringComparison.Ordinal);
        return output < 0 ? tag : tag < 0 ? output : Math.Min(output, tag);
    }

    private static string FirstWord(string markup)
    {
        var length = 0;
        while (length < markup.Length && (char.IsAsciiLetterOrDigit(markup[length]) || markup[length] == '_'))
        {
            length++;
        }

        return markup[..length];
    }

    private static int Count(string text) => text.Count(c => c == '\n');

    [GeneratedRegex(@"\|\s*raw\s*$")]
    private static partial Regex LastFilterIsRaw();

    [GeneratedRegex(@"^(?<var>[\w-]+)\s+in\s+(?<rest>.+)$", RegexOptions.Singleline)]
    private static partial Regex ForMarkup();

    [GeneratedRegex(@"^\s*(?<q>['""])(?<name>[^'""]+)\k<q>")]
    private static partial Regex PartialName();

    [GeneratedRegex(@"(?<key>[\w-]+)\s*:")]
    private static partial Regex NamedArgument();

    [GeneratedRegex(@"\[\s*(?<q>['""])(?<key>[^'""\]]+)\k<q>\s*\]")]
    private static partial Regex BracketKey();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"[A-Za-z_][\w-]*\??(?:\.[A-Za-z_][\w-]*\??|\[[^\]]*\])*")]
    private static partial Regex VariablePath();
}
