using System.Security.Cryptography;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>
/// The signing key of unsubscribe links when none is configured (<c>Unsubscribe:Keys</c> empty): a random secret kept
/// in a local file (default <c>.journeys/unsubscribe.key</c>) and reused on every start, so links in emails already
/// sent keep working across restarts. Meant for the embedded host on one machine; in Azure configure
/// <c>Unsubscribe:Keys</c> (e.g. from Key Vault), since the app's local disk is not kept.
/// </summary>
public static class LocalUnsubscribeKey
{
    public const string DefaultPath = ".journeys/unsubscribe.key";
    public const string KeyId = "local";

    public static string LoadOrCreate(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            var existing = File.ReadAllText(full).Trim();
            if (existing.Length >= 32)
            {
                return existing;
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var temporary = full + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temporary, secret);
        try
        {
            // Two processes starting at once: the first move wins and both read the winner's secret.
            File.Move(temporary, full, overwrite: false);
        }
        catch (IOException) when (File.Exists(full))
        {
            File.Delete(temporary);
        }

        return File.ReadAllText(full).Trim();
    }
}
