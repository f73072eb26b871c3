using System.Globalization;

namespace JourneyFunctions.SideBySide;

/// <summary>The benchmark's command line: <c>--name value</c> pairs, every one optional.</summary>
public sealed record Arguments(int Contacts, int Rounds, double GraceSeconds, double TimeoutSeconds, int Concurrency, int DtfxPollMilliseconds, IReadOnlyList<string> Engines)
{
    public static Arguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected --name value pairs, got '{args[i]}'.", nameof(args));
            }

            values[args[i][2..]] = args[i + 1];
        }

        string[] known = ["contacts", "rounds", "grace", "timeout", "concurrency", "dtfx-poll-ms", "engines"];
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"Unknown option --{unknown}; known: {string.Join(", ", known.Select(k => "--" + k))}.", nameof(args));
        }

        double Number(string name, double fallback, double min) =>
            values.TryGetValue(name, out var text)
                ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= min ? n : throw new ArgumentException($"--{name} must be a number >= {min}, got '{text}'.", nameof(args))
                : fallback;

        var engines = values.TryGetValue("engines", out var list) ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [DtfxBaseline.Name, BuiltInHost.Name, FunctionsPath.Name];
        return new Arguments(
            (int)Number("contacts", 300, 2),
            (int)Number("rounds", 3, 1),
            Number("grace", 2, 0.5),
            Number("timeout", 4, 0.5),
            (int)Number("concurrency", 8, 1),
            (int)Number("dtfx-poll-ms", 500, 50),
            engines);
    }
}
