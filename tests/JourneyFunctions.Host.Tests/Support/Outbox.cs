namespace JourneyFunctions.Host.Tests.Support;

/// <summary>
/// One .eml file the outbox sender wrote: its recipient, subject and text as a mail client reads it (<see cref="Raw"/>:
/// the header block as written, then every text part decoded, since the parts are quoted-printable on disk).
/// </summary>
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

            emails.Add(new OutboxEmail(file, Header(raw, "To"), Header(raw, "Subject"), Readable(raw)));
        }

        return emails;
    }

    /// <summary>How many whole .eml files there are, without reading them (cheap enough to poll).</summary>
    public static int Count(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.eml", SearchOption.AllDirectories).Count() : 0;

    public static IReadOnlyList<OutboxEmail> To(string directory, string address) =>
        Read(directory).Where(e => e.To.Contains(address, StringComparison.OrdinalIgnoreCase)).ToList();

    /// <summary>The header block as written, then each text part decoded (by MimeKit) from its transfer encoding.</summary>
    private static string Readable(string raw)
    {
        var end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = end < 0 ? raw : raw[..end];
        try
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw));
            var message = MimeKit.MimeMessage.Load(stream);
            return headers + "\r\n\r\n" + string.Join("\r\n", message.BodyParts.OfType<MimeKit.TextPart>().Select(p => p.Text));
        }
        catch (FormatException)
        {
            return raw;
        }
    }

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
