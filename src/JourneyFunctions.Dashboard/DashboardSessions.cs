using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using JourneyFunctions.Core.Security;
using Microsoft.AspNetCore.Http;

namespace JourneyFunctions.Dashboard;

/// <summary>What a request's dashboard session cookie is worth.</summary>
public enum DashboardSessionCheck
{
    /// <summary>No session cookie: the request must present the API key instead.</summary>
    None,

    /// <summary>A live session, and for a change the matching CSRF token in <see cref="DashboardSessions.CsrfHeader"/>.</summary>
    Valid,

    /// <summary>A cookie that names no live session (signed out, expired, or from before a restart).</summary>
    Expired,

    /// <summary>A live session, but a change (anything but GET/HEAD) without its CSRF token.</summary>
    MissingCsrf,
}

/// <summary>A signed-in session: the token the page sends back on every change, and when it ends.</summary>
public sealed record DashboardSession(string CsrfToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Server-side dashboard sessions of the built-in host. Signing in with the API key gives a random 256-bit session id
/// in an HttpOnly, SameSite=Strict cookie (Secure on https) and a separate random CSRF token, which the page keeps in
/// memory and sends as <see cref="CsrfHeader"/> on every change: a change made with the cookie alone is refused.
/// Only a hash of the session id is kept, so a memory dump does not hand out live cookies. Sessions live in memory:
/// a restart signs everybody out, which is the right failure for a single-machine host. At most
/// <see cref="MaxSessions"/> live at once: a sign-in past that drops expired sessions, then the one that ends soonest
/// (the oldest sign-in), so repeated sign-ins cannot grow the host's memory.
/// </summary>
public sealed class DashboardSessions(TimeProvider time)
{
    public const string CookieName = "jf_session";
    public const string CsrfHeader = "X-CSRF-Token";

    /// <summary>How long a session lasts from sign-in (a working day).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    /// <summary>Sessions kept at once.</summary>
    public const int MaxSessions = 1000;

    private readonly ConcurrentDictionary<string, DashboardSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>Starts a session and sets its cookie on <paramref name="context"/>'s response.</summary>
    public DashboardSession SignIn(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = time.GetUtcNow();
        foreach (var (key, old) in _sessions)
        {
            if (old.ExpiresAt <= now)
            {
                _sessions.TryRemove(key, out _);
            }
        }

        while (_sessions.Count >= MaxSessions && !_sessions.IsEmpty)
        {
            var oldest = _sessions.MinBy(s => s.Value.ExpiresAt).Key;
            _sessions.TryRemove(oldest, out _);
        }

        var id = Token();
        var session = new DashboardSession(Token(), now + Lifetime);
        _sessions[Hash(id)] = session;
        context.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            Expires = session.ExpiresAt,
            IsEssential = true,
        });
        return session;
    }

    /// <summary>Live sessions (for tests of the bound).</summary>
    public int Count => _sessions.Count;

    /// <summary>Ends the request's session (if any) and clears its cookie.</summary>
    public void SignOut(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Cookies.TryGetValue(CookieName, out var id) && !string.IsNullOrEmpty(id))
        {
            _sessions.TryRemove(Hash(id), out _);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }

    /// <summary>The live session the request's cookie names, or null.</summary>
    public DashboardSession? Find(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Cookies.TryGetValue(CookieName, out var id) || string.IsNullOrEmpty(id))
        {
            return null;
        }

        var key = Hash(id);
        if (!_sessions.TryGetValue(key, out var session))
        {
            return null;
        }

        if (session.ExpiresAt <= time.GetUtcNow())
        {
            _sessions.TryRemove(key, out _);
            return null;
        }

        return session;
    }

    /// <summary>Checks the cookie and, for a change, the CSRF token against it.</summary>
    public DashboardSessionCheck Check(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Cookies.ContainsKey(CookieName))
        {
            return DashboardSessionCheck.None;
        }

        var session = Find(request);
        if (session is null)
        {
            return DashboardSessionCheck.Expired;
        }

        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return DashboardSessionCheck.Valid;
        }

        var presented = request.Headers[CsrfHeader].ToString();
        return presented.Length > 0 && SecretComparison.Matches(session.CsrfToken, presented)
            ? DashboardSessionCheck.Valid
            : DashboardSessionCheck.MissingCsrf;
    }

    private static string Token() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Hash(string id) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
}
