namespace JourneyFunctions.Host.Composition;

/// <summary>
/// Finds the folders a fresh clone runs with: <c>journeys/</c> and <c>templates/</c> in the current folder, else in the
/// repository root above it (a folder with <c>.git</c> or a solution file), so <c>journeys serve</c> works from the
/// repository root and from a project folder alike.
/// </summary>
public static class HostPaths
{
    /// <summary>The full path of <paramref name="configured"/>, or of the first <paramref name="name"/> folder found; null when none.</summary>
    public static string? Find(string? configured, string name, string? startDirectory = null)
    {
        var start = startDirectory ?? Directory.GetCurrentDirectory();
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured, start);
        }

        var here = Path.Combine(start, name);
        if (Directory.Exists(here))
        {
            return here;
        }

        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var isRepoRoot = Directory.Exists(Path.Combine(dir.FullName, ".git"))
                || File.Exists(Path.Combine(dir.FullName, ".git"))
                || dir.EnumerateFiles("*.sln").Any()
                || dir.EnumerateFiles("*.slnx").Any();
            if (isRepoRoot)
            {
                var candidate = Path.Combine(dir.FullName, name);
                return Directory.Exists(candidate) ? candidate : null;
            }
        }

        return null;
    }
}
