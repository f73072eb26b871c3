namespace JourneyFunctions.Cli;

/// <summary>Where the email templates of a journey file live when the command line does not say.</summary>
internal static class TemplateFolders
{
    public const string FolderName = "templates";

    /// <summary>
    /// The nearest <c>templates</c> folder in the journey file's directory or one above it (a repository keeps
    /// journeys/ and templates/ side by side); null when there is none.
    /// </summary>
    public static string? FindFor(string journeyFile)
    {
        for (var dir = new FileInfo(journeyFile).Directory; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, FolderName);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
