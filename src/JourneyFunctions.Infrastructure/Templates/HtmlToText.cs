using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Derives the plain-text part of an email from its HTML when a template has no <c>body.txt.liquid</c>: readable
/// text, links as "text (url)", no tags, entities decoded, a blank line between blocks. Hidden elements (the preheader,
/// <c>display:none</c>), head, style and script are dropped: they are not meant to be read.
/// </summary>
public static partial class HtmlToText
{
    private const char LineBreakMark = '\u0001';
    private const char BlockMark = '\u0002';

    /// <summary>
    /// One pass over the HTML (the text part of every email without <c>body.txt.liquid</c> is made here, and the nine
    /// regular-expression passes this replaced each copied the whole email: about 86 KB and 290 us for a 5 KB cart
    /// reminder). Elements are recognised as the patterns below describe them; what the walk leaves is split into
    /// blocks (separated by a blank line) and lines.
    /// </summary>
    public static string Convert(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var raw = Rent(ref _threadRaw);
        var i = 0;
        while (i < html.Length)
        {
            var open = html.IndexOf('<', i);
            if (open < 0)
            {
                raw.Append(html, i, html.Length - i);
                break;
            }

            raw.Append(html, i, open - i);
            i = Element(html, open, raw);
        }

        var text = WebUtility.HtmlDecode(raw.ToString()).AsSpan();

        // Blocks are separated by a blank line, except consecutive list items, which stay together; each line has its
        // runs of whitespace collapsed to one space, and empty lines are dropped.
        Return(ref _threadRaw, raw);
        var builder = Rent(ref _threadBuilder);
        var lines = Rent(ref _threadLines);
        var previousWasItem = false;
        foreach (var range in text.Split(BlockMark))
        {
            var block = text[range];
            lines.Clear();
            foreach (var lineRange in block.Split(LineBreakMark))
            {
                var line = block[lineRange].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                if (lines.Length > 0)
                {
                    lines.Append('\n');
                }

                AppendCollapsed(lines, line);
            }

            if (lines.Length == 0)
            {
                continue;
            }

            var isItem = block.TrimStart().StartsWith("- ", StringComparison.Ordinal);
            if (builder.Length > 0)
            {
                builder.Append(isItem && previousWasItem ? "\n" : "\n\n");
            }

            builder.Append(lines);
            previousWasItem = isItem;
        }

        var converted = builder.Append('\n').ToString();
        Return(ref _threadBuilder, builder);
        Return(ref _threadLines, lines);
        return converted;
    }

    // Working buffers, one set per thread and reused (a conversion then allocates little beyond its result); a buffer
    // that grew past KeptCapacity characters for a huge email is let go.
    private const int KeptCapacity = 64 * 1024;

    [ThreadStatic]
    private static StringBuilder? _threadRaw;

    [ThreadStatic]
    private static StringBuilder? _threadBuilder;

    [ThreadStatic]
    private static StringBuilder? _threadLines;

    private static StringBuilder Rent(ref StringBuilder? cached)
    {
        var builder = cached ?? new StringBuilder(4 * 1024);
        cached = null;
        return builder.Clear();
    }

    private static void Return(ref StringBuilder? cached, StringBuilder builder)
    {
        if (builder.Capacity <= KeptCapacity)
        {
            cached = builder;
        }
    }

    /// <summary>Appends a trimmed line with each run of spaces, tabs, line ends and no-break spaces as one space.</summary>
    private static void AppendCollapsed(StringBuilder builder, ReadOnlySpan<char> line)
    {
        var inRun = false;
        foreach (var c in line)
        {
            if (c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v' or '\u00a0')
            {
                inRun = true;
                continue;
            }

            if (inRun)
            {
                builder.Append(' ');
                inRun = false;
            }

            builder.Append(c);
        }
    }

    /// <summary>Handles the markup starting at <paramref name="open"/> (a '&lt;'); returns where the text goes on.</summary>
    private static int Element(string html, int open, StringBuilder raw)
    {
        if (string.CompareOrdinal(html, open, "<!--", 0, 4) == 0)
        {
            var endComment = html.IndexOf("-->", open + 4, StringComparison.Ordinal);
            if (endComment >= 0)
            {
                return endComment + 3;
            }
        }

        var close = html.IndexOf('>', open + 1);
        if (close < 0)
        {
            // Not a tag: the rest is text.
            raw.Append(html, open, html.Length - open);
            return html.Length;
        }

        if (close == open + 1)
        {
            raw.Append("<>");
            return close + 1;
        }

        var closing = html[open + 1] == '/';
        var nameStart = open + (closing ? 2 : 1);
        var nameEnd = nameStart;
        while (nameEnd < close && char.IsAsciiLetterOrDigit(html[nameEnd]))
        {
            nameEnd++;
        }

        var name = html.AsSpan(nameStart, nameEnd - nameStart);
        var after = close + 1;
        if (name.Length == 0)
        {
            return after;
        }

        var tag = html.AsSpan(open, after - open);
        if (!closing)
        {
            // Never read: head, style, script, title, and hidden elements (the preheader), up to their end tag.
            if (Is(name, "head") || Is(name, "style") || Is(name, "script") || Is(name, "title")
                || ((Is(name, "div") || Is(name, "span") || Is(name, "p") || Is(name, "td") || Is(name, "table")) && HiddenStyle().IsMatch(tag)))
            {
                var end = EndTag(html, after, name);
                if (end >= 0)
                {
                    return end;
                }
            }

            if (Is(name, "a") && LinkHref().Match(html, open, after - open) is { Success: true } href)
            {
                var end = html.IndexOf("</", after, StringComparison.Ordinal);
                while (end >= 0 && !IsEndTag(html, end, "a", out _))
                {
                    end = html.IndexOf("</", end + 2, StringComparison.Ordinal);
                }

                if (end >= 0)
                {
                    IsEndTag(html, end, "a", out var endLength);
                    raw.Append(Link(WebUtility.HtmlDecode(href.Groups["href"].Value).Trim(), html[after..end]));
                    return end + endLength;
                }
            }

            if (Is(name, "img"))
            {
                var alt = ImageAlt().Match(html, open, after - open);
                raw.Append(alt.Success && alt.Groups["alt"].Value.Length > 0 ? $" {alt.Groups["alt"].Value} " : " ");
                return after;
            }

            if (Is(name, "br") && LineBreak().IsMatch(tag))
            {
                raw.Append(LineBreakMark);
                return after;
            }

            if (Is(name, "li"))
            {
                raw.Append(BlockMark).Append("- ");
                return after;
            }
        }

        if (IsBlock(name))
        {
            raw.Append(BlockMark);
        }
        else if (Is(name, "td") || Is(name, "th"))
        {
            raw.Append(' ');
        }

        return after;
    }

    /// <summary>A link as text: "text (url)", the url alone when it is the text, the text alone for page anchors and scripts.</summary>
    private static string Link(string href, string content)
    {
        var inner = Collapse(WebUtility.HtmlDecode(Tag().Replace(content, " ")));
        if (href.Length == 0 || href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
        {
            return inner;
        }

        var shown = href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? href[7..] : href;
        return inner.Length == 0 || string.Equals(inner, shown, StringComparison.OrdinalIgnoreCase) ? shown : $"{inner} ({shown})";
    }

    private static bool Is(ReadOnlySpan<char> name, string expected) => name.Equals(expected, StringComparison.OrdinalIgnoreCase);

    private static bool IsBlock(ReadOnlySpan<char> name) =>
        Is(name, "p") || Is(name, "div") || Is(name, "tr") || Is(name, "table") || Is(name, "ul") || Is(name, "ol") || Is(name, "li")
        || Is(name, "blockquote") || Is(name, "hr") || Is(name, "section") || Is(name, "header") || Is(name, "footer") || Is(name, "center")
        || (name.Length == 2 && (name[0] is 'h' or 'H') && name[1] is >= '1' and <= '6');

    /// <summary>Where the first end tag of <paramref name="name"/> at or after <paramref name="from"/> ends, or -1.</summary>
    private static int EndTag(string html, int from, ReadOnlySpan<char> name)
    {
        var end = html.IndexOf("</", from, StringComparison.Ordinal);
        while (end >= 0)
        {
            if (IsEndTag(html, end, name, out var length))
            {
                return end + length;
            }

            end = html.IndexOf("</", end + 2, StringComparison.Ordinal);
        }

        return -1;
    }

    /// <summary>Whether <c>&lt;/name&gt;</c> (spaces allowed before the '&gt;') starts at <paramref name="at"/>.</summary>
    private static bool IsEndTag(string html, int at, ReadOnlySpan<char> name, out int length)
    {
        length = 0;
        var i = at + 2;
        if (i + name.Length > html.Length || !html.AsSpan(i, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        i += name.Length;
        while (i < html.Length && char.IsWhiteSpace(html[i]))
        {
            i++;
        }

        if (i >= html.Length || html[i] != '>')
        {
            return false;
        }

        length = i + 1 - at;
        return true;
    }

    private static string Collapse(string value) => Whitespace().Replace(value.Replace('\u00a0', ' '), " ").Trim();

    [GeneratedRegex(@"^<\w+\b[^>]*style\s*=\s*""[^""]*display\s*:\s*none[^""]*""[^>]*>$", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenStyle();

    [GeneratedRegex(@"\G<a\b[^>]*?href\s*=\s*(?:""(?<href>[^""]*)""|'(?<href>[^']*)')[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex LinkHref();

    [GeneratedRegex(@"\G<img\b(?:[^>]*?\balt\s*=\s*""(?<alt>[^""]*)"")?[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ImageAlt();

    [GeneratedRegex(@"^<br\s*/?>$", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\r\n\f\v]+")]
    private static partial Regex Whitespace();
}
