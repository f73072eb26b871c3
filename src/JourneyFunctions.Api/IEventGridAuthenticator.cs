using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JourneyFunctions.Api;

/// <summary>
/// Checks the credential Event Grid presents on <c>/api/eventgrid</c>. It is Event Grid's own credential, never the
/// admin key: each host supplies its implementation.
/// </summary>
public interface IEventGridAuthenticator
{
    /// <summary>Null when the request may proceed; otherwise the 401 problem to answer.</summary>
    Task<ProblemHttpResult?> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken = default);
}
