namespace JourneyFunctions.Core.Validation;

/// <summary>"Did you mean" for typos: the closest candidate by edit distance (with transpositions), if close enough.</summary>
public static class Suggestions
{
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        if (string.IsNullOrEmpty(input))
        {
            return null;
        }

        var limit = input.Length <= 3 ? 1 : Math.Max(2, input.Length / 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            if (Math.Abs(candidate.Length - input.Length) > limit)
            {
                continue;
            }

            var d = Distance(input, candidate);
            if (d < bestDistance && d <= limit && !string.Equals(candidate, input, StringComparison.Ordinal))
            {
                best = candidate;
                bestDistance = d;
            }
        }

        return best;
    }

    /// <summary>"; did you mean "x"?" or empty.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } s ? $"; did you mean \"{s}\"?" : string.Empty;

    /// <summary>"; did you mean "x"? " or ". ": the suggestion, then the start of the next sentence.</summary>
    public static string DidYouMeanThen(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } s ? $"; did you mean \"{s}\"? " : ". ";

    /// <summary>Optimal string alignment distance, case-insensitive (a case slip counts as nothing).</summary>
    internal static int Distance(string a, string b)
    {
        var rows = a.Length + 1;
        var cols = b.Length + 1;
        var d = new int[rows, cols];
        for (var i = 0; i < rows; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j < cols; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i < rows; i++)
        {
            for (var j = 1; j < cols; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                var v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 2]) && char.ToLowerInvariant(a[i - 2]) == char.ToLowerInvariant(b[j - 1]))
                {
                    v = Math.Min(v, d[i - 2, j - 2] + 1);
                }

                d[i, j] = v;
            }
        }

        return d[a.Length, b.Length];
    }
}
