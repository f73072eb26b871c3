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

/// <summary>
/// A partial pulled in with <c>{% include %}</c> (which shares the includer's variables) or <c>{% render %}</c>
/// (<paramref name="Isolated"/>: it sees the journey's variables and its own arguments, not the includer's assigns).
/// </summary>
internal sealed record LiquidInclude(string Name, int Line, bool Isolated, IReadOnlySet<string> Arguments);

/// <summary>A filter that computes with numbers applied to a variable (<c>item.price | times: 2</c>) on a line.</summary>
internal sealed record LiquidNumericUse(string Filter, string Path, int Line);

/// <summary>What a scan learnt about one template file.</summary>
internal sealed record LiquidScan(
    IReadOnlyList<LiquidToken> Tokens,
    IReadOnlyList<(int Line, string Message)> Problems,
    IReadOnlyList<LiquidReference> References,
    IReadOnlySet<string> Defined,
    IReadOnlyList<LiquidInclude> Includes)
{
    /// <summary>Where a numeric filter takes a variable; a loop variable's path is given with its collection (<see cref="Loops"/>).</summary>
    public IReadOnlyList<LiquidNumericUse> NumericUses { get; init; } = [];

    /// <summary>Loop variables and the collection each walks: <c>item</c> to <c>trigger.items</c>.</summary>
    public IReadOnlyDictionary<string, string> Loops { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A line-aware lexical pass over a Liquid file, independent of the engine that renders it: it gives validation what a
/// marketer needs in sentences of its own (where a block is left open, which variables are read on which line, which
/// are defined by assign/capture/for, which partials are included, which variables numeric filters take), and it
/// rewrites every output to end in the filter that prints it (<see cref="RewriteOutputs"/>). Only the tags it knows
/// reach the engine: a file with any other tag is a problem here and is never parsed.
/// </summary>
internal static partial class LiquidScanner
{
    private static readonly HashSet<string> BlockTags = new(StringComparer.Ordinal) { "if", "unless", "for", "case", "capture", "tablerow", "ifchanged", "block" };

    private static readonly HashSet<string> SimpleTags = new(StringComparer.Ordinal)
    {
        "assign", "include", "render", "cycle", "increment", "decrement", "break", "continue", "extends", "param", "else", "elsif", "when",
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
        var includes = new List<LiquidInclude>();
        var numeric = new List<LiquidNumericUse>();
        var loops = new Dictionary<string, string>(StringComparer.Ordinal);
        var stack = new Stack<(string Name, int Line)>();
        foreach (var token in tokens)
        {
            if (token.Kind == LiquidTokenKind.Output)
            {
                references.AddRange(References(token.Markup, token.Line));
                numeric.AddRange(NumericUses(token.Markup, token.Line));
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
            if (name == "assign" && token.Markup.IndexOf('=', StringComparison.Ordinal) is > 0 and var equals)
            {
                numeric.AddRange(NumericUses(token.Markup[(equals + 1)..], token.Line));
            }
            else if (name is "for" or "tablerow" && ForMarkup().Match(token.Markup) is { Success: true } loop)
            {
                var collection = VariablePath().Match(loop.Groups["rest"].Value);
                if (collection.Success)
                {
                    loops.TryAdd(loop.Groups["var"].Value, collection.Value);
                }
            }
        }

        foreach (var (name, line) in stack)
        {
            problems.Add((line, $"the \"{name}\" opened here is never closed with \"end{name}\""));
        }

        return new LiquidScan(tokens, problems, references, defined, includes) { NumericUses = numeric, Loops = loops };
    }

    /// <summary>
    /// Rewrites every output to end in the filter that prints it: in an HTML body the HTML encoder
    /// (<see cref="LiquidFilters.AutoEscapeFilter"/>), elsewhere the plain printer (<see cref="LiquidFilters.AutoFormatFilter"/>),
    /// so every part prints values alike (objects empty, numbers as precise as they came). An output whose last filter
    /// is <c>raw</c> is left as written: <c>raw</c> prints the same way, without encoding.
    /// </summary>
    public static string RewriteOutputs(IReadOnlyList<LiquidToken> tokens, bool html)
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
                builder.Append(" | ").Append(html ? LiquidFilters.AutoEscapeFilter : LiquidFilters.AutoFormatFilter);
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

    private static void ReadTag(string name, LiquidToken token, List<LiquidReference> references, HashSet<string> defined, List<LiquidInclude> includes, List<(int, string)> problems)
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
            case "include" or "render":
                var partial = PartialName().Match(markup);
                if (!partial.Success)
                {
                    problems.Add((token.Line, $"\"{name}\" needs a quoted partial name: {{% {name} 'footer' %}}"));
                    return;
                }

                var rest = markup[partial.Length..];
                var arguments = new HashSet<string>(StringComparer.Ordinal);
                foreach (Match argument in NamedArgument().Matches(StringLiteral().Replace(rest, m => new string(' ', m.Length))))
                {
                    arguments.Add(argument.Groups["key"].Value);
                }

                if (name == "include")
                {
                    // An include's arguments stay visible after it (it shares the includer's scope).
                    defined.UnionWith(arguments);
                }

                includes.Add(new LiquidInclude(partial.Groups["name"].Value, token.Line, name == "render", arguments));
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

    /// <summary>
    /// The numeric filters of one filter chain and the variables they take: the chain's input (<c>item.price</c> in
    /// <c>item.price | times: item.quantity | money: trigger.currency</c>, for times and money) and the variable
    /// operands of arithmetic (<c>item.quantity</c>, for times; money's argument is a currency, not a number).
    /// </summary>
    private static IEnumerable<LiquidNumericUse> NumericUses(string expression, int line)
    {
        var blanked = StringLiteral().Replace(expression, m => new string(' ', m.Length));
        var segments = blanked.Split('|');
        if (segments.Length < 2)
        {
            yield break;
        }

        var input = Variable(segments[0]);
        for (var i = 1; i < segments.Length; i++)
        {
            var segment = segments[i].Trim();
            var filter = FirstWord(segment);
            if (!LiquidFilters.NumericFilters.Contains(filter))
            {
                continue;
            }

            var at = line + Count(string.Join('|', segments, 0, i));
            if (input is not null)
            {
                yield return new LiquidNumericUse(filter, input, at);
            }

            var colon = segment.IndexOf(':', StringComparison.Ordinal);
            if (filter != "money" && colon > 0)
            {
                foreach (var operand in segment[(colon + 1)..].Split(','))
                {
                    if (Variable(operand) is { } variable)
                    {
                        yield return new LiquidNumericUse(filter, variable, at);
                    }
                }
            }
        }
    }

    /// <summary>The variable path an operand is, or null for a literal, a keyword or an expression.</summary>
    private static string? Variable(string operand)
    {
        var trimmed = operand.Trim();
        var match = VariablePath().Match(trimmed);
        return match.Success && match.Index == 0 && match.Length == trimmed.Length && !Keywords.Contains(match.Value.Split('.', '[')[0])
            ? match.Value
            : null;
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
