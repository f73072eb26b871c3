using System.Security.Cryptography;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>
/// The signing key of unsubscribe links when none is configured (<c>Unsubscribe:Keys</c> empty): a random secret kept
/// in a local file (default <c>.journeys/unsubscribe.key</c>) and reused on every start, so links in emails already
/// sent keep working across restarts. Meant for the embedded host on one machine; in Azure configure
/// <c>Unsubscribe:Keys</c> (e.g. from Key Vault), since the app's local disk is not kept. On Unix the file is created
/// readable and writable by its owner only (0600, its folder 0700), and a file found with wider permissions is
/// narrowed to 0600 before it is read: whoever reads the key can unsubscribe anyone.
/// </summary>
public static class LocalUnsubscribeKey
{
    public const string DefaultPath = ".journeys/unsubscribe.key";
    public const string KeyId = "local";

    /// <summary>Owner read and write: the mode of the key file.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string LoadOrCreate(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            Restrict(full);
            var existing = File.ReadAllText(full).Trim();
            if (existing.Length >= 32)
            {
                return existing;
            }
        }

        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, FolderMode);
            }
        }

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var temporary = full + "." + Environment.ProcessId + ".tmp";
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        using (var writer = new StreamWriter(temporary, System.Text.Encoding.ASCII, options))
        {
            writer.Write(secret);
        }

        try
        {
            // Two processes starting at once: the first move wins and both read the winner's secret.
            File.Move(temporary, full, overwrite: false);
        }
        catch (IOException) when (File.Exists(full))
        {
            File.Delete(temporary);
        }

        Restrict(full);
        return File.ReadAllText(full).Trim();
    }

    private static void Restrict(string file)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & ~FileMode) != 0)
        {
            File.SetUnixFileMode(file, FileMode);
        }
    }
}
