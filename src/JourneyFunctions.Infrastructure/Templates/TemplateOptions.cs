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
}
