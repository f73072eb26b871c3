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
    public static string Convert(string html)
    {
        var text = Invisible().Replace(html, string.Empty);
        text = Hidden().Replace(text, string.Empty);
        text = Link().Replace(text, m =>
        {
            var href = WebUtility.HtmlDecode(m.Groups["href"].Value).Trim();
            var inner = Collapse(WebUtility.HtmlDecode(Tag().Replace(m.Groups["text"].Value, " ")));
            if (href.Length == 0 || href.StartsWith('#') || href.StartsWith("javascript:", StringComparison.OrdinalIgnoreCase))
            {
                return inner;
            }

            var shown = href.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? href[7..] : href;
            return inner.Length == 0 || string.Equals(inner, shown, StringComparison.OrdinalIgnoreCase) ? shown : $"{inner} ({shown})";
        });
        text = Image().Replace(text, m => m.Groups["alt"].Success && m.Groups["alt"].Value.Length > 0 ? $" {m.Groups["alt"].Value} " : " ");
        text = LineBreak().Replace(text, "\u0001");
        text = ListItem().Replace(text, "\u0002- ");
        text = BlockBoundary().Replace(text, "\u0002");
        text = Cell().Replace(text, " ");
        text = Tag().Replace(text, string.Empty);
        text = WebUtility.HtmlDecode(text);

        // Blocks are separated by a blank line, except consecutive list items, which stay together.
        var builder = new StringBuilder();
        var previousWasItem = false;
        foreach (var block in text.Split('\u0002'))
        {
            var lines = block.Split('\u0001').Select(Collapse).ToList();
            if (lines.TrueForAll(l => l.Length == 0))
            {
                continue;
            }

            var isItem = block.TrimStart().StartsWith("- ", StringComparison.Ordinal);
            if (builder.Length > 0)
            {
                builder.Append(isItem && previousWasItem ? "\n" : "\n\n");
            }

            builder.AppendJoin('\n', lines.Where(l => l.Length > 0));
            previousWasItem = isItem;
        }

        return builder.ToString().Trim() + "\n";
    }

    private static string Collapse(string value) => Whitespace().Replace(value.Replace('\u00a0', ' '), " ").Trim();

    // One alternative per element instead of a back-reference to the opening tag's name: the regex source generator
    // cannot generate a case-insensitive back-reference and falls back to the interpreter, which made these two
    // patterns most of the time of a conversion (hundreds of microseconds for a 5 KB email).
    [GeneratedRegex(@"<head\b[^>]*>.*?</head\s*>|<style\b[^>]*>.*?</style\s*>|<script\b[^>]*>.*?</script\s*>|<title\b[^>]*>.*?</title\s*>|<!--.*?-->", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"<div\b[^>]*style\s*=\s*""[^""]*display\s*:\s*none[^""]*""[^>]*>.*?</div\s*>|<span\b[^>]*style\s*=\s*""[^""]*display\s*:\s*none[^""]*""[^>]*>.*?</span\s*>|<p\b[^>]*style\s*=\s*""[^""]*display\s*:\s*none[^""]*""[^>]*>.*?</p\s*>|<td\b[^>]*style\s*=\s*""[^""]*display\s*:\s*none[^""]*""[^>]*>.*?</td\s*>|<table\b[^>]*style\s*=\s*""[^""]*display\s*:\s*none[^""]*""[^>]*>.*?</table\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Hidden();

    [GeneratedRegex(@"<a\b[^>]*?href\s*=\s*(?:""(?<href>[^""]*)""|'(?<href>[^']*)')[^>]*>(?<text>.*?)</a\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Link();

    [GeneratedRegex(@"<img\b(?:[^>]*?\balt\s*=\s*""(?<alt>[^""]*)"")?[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Image();

    [GeneratedRegex(@"<br\s*/?>", RegexOptions.IgnoreCase)]
    private static partial Regex LineBreak();

    [GeneratedRegex(@"<li\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"</?(p|div|tr|table|h[1-6]|ul|ol|li|blockquote|hr|section|header|footer|center)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockBoundary();

    [GeneratedRegex(@"</?(td|th)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex Cell();

    [GeneratedRegex(@"<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"[ \t\r\n\f\v]+")]
    private static partial Regex Whitespace();
}
