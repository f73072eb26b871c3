namespace JourneyFunctions.Host.Tests.Support;

/// <summary>One .eml file the outbox sender wrote: its recipient, subject and raw text.</summary>
public sealed record OutboxEmail(string File, string To, string Subject, string Raw);

/// <summary>Reads the .eml files the host's outbox sender writes.</summary>
public static class Outbox
{
    public static IReadOnlyList<OutboxEmail> Read(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var emails = new List<OutboxEmail>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.eml", SearchOption.AllDirectories))
        {
            string raw;
            try
            {
                raw = File.ReadAllText(file);
            }
            catch (IOException)
            {
                continue;
            }

            emails.Add(new OutboxEmail(file, Header(raw, "To"), Header(raw, "Subject"), raw));
        }

        return emails;
    }

    /// <summary>How many whole .eml files there are, without reading them (cheap enough to poll).</summary>
    public static int Count(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.eml", SearchOption.AllDirectories).Count() : 0;

    public static IReadOnlyList<OutboxEmail> To(string directory, string address) =>
        Read(directory).Where(e => e.To.Contains(address, StringComparison.OrdinalIgnoreCase)).ToList();

    private static string Header(string raw, string name)
    {
        using var reader = new StringReader(raw);
        string? line;
        var value = string.Empty;
        var capturing = false;
        while ((line = reader.ReadLine()) is not null && line.Length > 0)
        {
            if (capturing && (line.StartsWith(' ') || line.StartsWith('\t')))
            {
                value += " " + line.Trim();
                continue;
            }

            if (capturing)
            {
                break;
            }

            if (line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            {
                value = line[(name.Length + 1)..].Trim();
                capturing = true;
            }
        }

        return value;
    }
}
