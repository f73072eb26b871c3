using JourneyFunctions.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Net.Http.Headers;

namespace JourneyFunctions.Dashboard.Tests;

/// <summary>The session store on its own, on a fake clock: lifetime, CSRF on changes only, sign-out, no stored id.</summary>
public sealed class DashboardSessionsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Check_AfterLifetime_IsExpired_AndJustBefore_IsValid()
    {
        var sessions = new DashboardSessions(_time);
        var cookie = SignIn(sessions, out _);

        _time.Advance(DashboardSessions.Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(DashboardSessionCheck.Valid, sessions.Check(Request("GET", cookie)));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DashboardSessionCheck.Expired, sessions.Check(Request("GET", cookie)));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public void Check_ChangeWithoutOrWithWrongCsrf_IsMissingCsrf_WithTheToken_IsValid(string method)
    {
        var sessions = new DashboardSessions(_time);
        var cookie = SignIn(sessions, out var session);

        Assert.Equal(DashboardSessionCheck.MissingCsrf, sessions.Check(Request(method, cookie)));
        Assert.Equal(DashboardSessionCheck.MissingCsrf, sessions.Check(Request(method, cookie, session.CsrfToken[..^1])));
        Assert.Equal(DashboardSessionCheck.Valid, sessions.Check(Request(method, cookie, session.CsrfToken)));
        Assert.Equal(DashboardSessionCheck.Valid, sessions.Check(Request("HEAD", cookie)));
    }

    [Fact]
    public void Check_NoCookie_IsNone_UnknownCookie_IsExpired_SignedOut_IsExpired()
    {
        var sessions = new DashboardSessions(_time);
        Assert.Equal(DashboardSessionCheck.None, sessions.Check(Request("GET", null)));
        Assert.Equal(DashboardSessionCheck.Expired, sessions.Check(Request("GET", "made-up")));

        var cookie = SignIn(sessions, out _);
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={cookie}";
        sessions.SignOut(context);
        Assert.Equal(DashboardSessionCheck.Expired, sessions.Check(Request("GET", cookie)));
        Assert.Contains("expires=Thu, 01 Jan 1970", context.Response.Headers.SetCookie.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void SignIn_TwoSessions_HaveDifferentIdsAndTokens_AndTheCookieIsSecureOnHttpsOnly()
    {
        var sessions = new DashboardSessions(_time);
        var first = SignIn(sessions, out var a);
        var second = SignIn(sessions, out var b, https: true);
        Assert.NotEqual(first, second);
        Assert.NotEqual(a.CsrfToken, b.CsrfToken);
        Assert.NotEqual(first, a.CsrfToken);
        Assert.True(first.Length >= 43, "256 random bits, base64url");
    }

    [Fact]
    public void SignIn_PastMaxSessions_DropsTheOldestSignInFirst()
    {
        var sessions = new DashboardSessions(_time);
        var first = SignIn(sessions, out _);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = SignIn(sessions, out _);
        for (var i = 2; i < DashboardSessions.MaxSessions; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            sessions.SignIn(new DefaultHttpContext());
        }

        Assert.Equal(DashboardSessions.MaxSessions, sessions.Count);
        var newest = SignIn(sessions, out _);

        Assert.Equal(DashboardSessions.MaxSessions, sessions.Count);
        Assert.Equal(DashboardSessionCheck.Expired, sessions.Check(Request("GET", first)));
        Assert.Equal(DashboardSessionCheck.Valid, sessions.Check(Request("GET", second)));
        Assert.Equal(DashboardSessionCheck.Valid, sessions.Check(Request("GET", newest)));
    }

    private string SignIn(DashboardSessions sessions, out DashboardSession session, bool https = false)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = https ? "https" : "http";
        session = sessions.SignIn(context);
        var header = SetCookieHeaderValue.Parse(context.Response.Headers.SetCookie.ToString());
        Assert.True(header.HttpOnly);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, header.SameSite);
        Assert.Equal(https, header.Secure);
        Assert.Equal(_time.GetUtcNow() + DashboardSessions.Lifetime, header.Expires);
        return header.Value.ToString();
    }

    private static HttpRequest Request(string method, string? cookie, string? csrf = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"{DashboardSessions.CookieName}={cookie}";
        }

        if (csrf is not null)
        {
            context.Request.Headers[DashboardSessions.CsrfHeader] = csrf;
        }

        return context.Request;
    }
}
