namespace JourneyFunctions.Infrastructure.Templates;

/// <summary>A template is missing, does not parse, or failed while rendering; the message names the template and file.</summary>
public sealed class TemplateRenderException : Exception
{
    public TemplateRenderException()
    {
    }

    public TemplateRenderException(string message)
        : base(message)
    {
    }

    public TemplateRenderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
