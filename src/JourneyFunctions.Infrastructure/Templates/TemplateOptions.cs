namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>
/// Where the email templates live (configuration section <c>Templates</c>). Each template is a folder
/// <c>&lt;Directory&gt;/&lt;name&gt;/</c> with <c>subject.liquid</c>, <c>body.html.liquid</c> and an optional
/// <c>body.txt.liquid</c>; shared pieces live in <c>&lt;Directory&gt;/_partials/&lt;name&gt;.liquid</c> and are pulled in
/// with <c>{% include 'name' %}</c>.
/// </summary>
public sealed class TemplateOptions
{
    public const string SectionName = "Templates";

    /// <summary>The templates folder; a relative path is resolved against the current directory.</summary>
    public string Directory { get; set; } = "templates";

    /// <summary>The default of <see cref="ReloadCheckInterval"/>.</summary>
    public static readonly TimeSpan DefaultReloadCheckInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a parsed template file is used before its size and last write time are looked at again; an edited
    /// template is used from the next render after that, without a restart. Zero looks on every render (a file
    /// system call per file per render, which a busy host does not need).
    /// </summary>
    public TimeSpan ReloadCheckInterval { get; set; } = DefaultReloadCheckInterval;
}
