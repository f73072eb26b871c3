namespace JourneyFunctions.Core.Services;

/// <summary>Builds the public one-click unsubscribe URL of a contact (a signed token in an HTTPS link).</summary>
public interface IUnsubscribeUrlBuilder
{
    string Build(string contactId, string scope);
}
