using System.Net;
using System.Text.RegularExpressions;
using JourneyFunctions.Infrastructure.Templates;

namespace JourneyFunctions.Simulation;

/// <summary>What an email says and where it links, as the <c>contains</c> and <c>link</c> expectations read it.</summary>
public static partial class EmailContent
{
    /// <summary>
    /// Whether the subject, the text part or the text of the HTML (tags dropped, entities decoded) contains
    /// <paramref name="text"/>, ignoring case and runs of white space (a template's line breaks are not the reader's).
    /// </summary>
    public static bool Contains(SimulatedEmail email, string text)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(text);
        var wanted = Squash(text);
        return Squash(email.Subject).Contains(wanted, StringComparison.OrdinalIgnoreCase)
            || Squash(email.Text).Contains(wanted, StringComparison.OrdinalIgnoreCase)
            || Squash(HtmlToText.Convert(email.Html)).Contains(wanted, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every link of the email: the HTML's <c>href</c> values (entities decoded, empty ones kept as "") and the text part's URLs.</summary>
    public static IReadOnlyList<string> Links(SimulatedEmail email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var links = new List<string>();
        foreach (Match m in Href().Matches(email.Html ?? string.Empty))
        {
            links.Add(WebUtility.HtmlDecode(m.Groups["url"].Value).Trim());
        }

        foreach (Match m in TextUrl().Matches(email.Text ?? string.Empty))
        {
            links.Add(m.Value.TrimEnd('.', ',', ')', ';', '>'));
        }

        return links;
    }

    /// <summary>An exact match, or a prefix match when <paramref name="pattern"/> ends with <c>*</c>.</summary>
    public static bool LinkMatches(string link, string pattern)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(pattern);
        return pattern.EndsWith('*')
            ? link.Length > 0 && link.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(link, pattern, StringComparison.Ordinal);
    }

    private static string Squash(string? text) => string.IsNullOrEmpty(text) ? string.Empty : Spaces().Replace(text, " ").Trim();

    [GeneratedRegex("""href\s*=\s*(?:"(?<url>[^"]*)"|'(?<url>[^']*)')""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Href();

    [GeneratedRegex("""https?://[^\s<>"']+""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex TextUrl();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
