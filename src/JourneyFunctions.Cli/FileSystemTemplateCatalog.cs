using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Cli;

/// <summary>
/// The templates the CLI can see without rendering: a template exists when <c>&lt;directory&gt;/&lt;name&gt;/</c> holds
/// <c>subject.liquid</c> and <c>body.html.liquid</c>. <see cref="Check"/> reports only what a file listing can tell
/// (an empty subject or body); parsing Liquid and checking variables against the journey is the job of the Fluid
/// template catalog in Infrastructure, which replaces this one where it is available.
/// </summary>
internal sealed class FileSystemTemplateCatalog : ITemplateCatalog
{
    public const string SubjectFile = "subject.liquid";

    public const string HtmlFile = "body.html.liquid";

    public FileSystemTemplateCatalog(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
    }

    /// <summary>The templates folder (absolute).</summary>
    public string Directory { get; }

    public bool Exists(string template) =>
        TryFolder(template, out var folder)
        && File.Exists(Path.Combine(folder, SubjectFile))
        && File.Exists(Path.Combine(folder, HtmlFile));

    public IReadOnlyList<string> Check(string template, TemplateScope scope)
    {
        var problems = new List<string>();
        if (!TryFolder(template, out var folder))
        {
            problems.Add($"\"{template}\" is not a folder name: use letters, digits and dashes");
            return problems;
        }

        foreach (var file in new[] { SubjectFile, HtmlFile })
        {
            var path = Path.Combine(folder, file);
            if (File.Exists(path) && new FileInfo(path).Length == 0)
            {
                problems.Add($"{file} is empty");
            }
        }

        return problems;
    }

    /// <summary>
    /// Finds the templates folder for a journey file: the nearest <c>templates</c> folder in its directory or one
    /// above it (a repository keeps journeys/ and templates/ side by side). Null when there is none.
    /// </summary>
    public static FileSystemTemplateCatalog? FindFor(string journeyFile)
    {
        for (var dir = new FileInfo(journeyFile).Directory; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "templates");
            if (System.IO.Directory.Exists(candidate))
            {
                return new FileSystemTemplateCatalog(candidate);
            }
        }

        return null;
    }

    /// <summary>A template name is one folder name: no separators, no "." or "..", nothing a file system refuses.</summary>
    private bool TryFolder(string template, out string folder)
    {
        folder = string.Empty;
        if (string.IsNullOrWhiteSpace(template) || template is "." or ".." || template.IndexOfAny(['/', '\\']) >= 0
            || template.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            return false;
        }

        folder = Path.Combine(Directory, template);
        return System.IO.Directory.Exists(folder);
    }
}
