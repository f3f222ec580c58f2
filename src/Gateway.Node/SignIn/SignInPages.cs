using System.Net;
using System.Text;
using Gateway.Contracts.SignIn;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.SignIn;

/// <summary>
/// The few pages of the authenticate host. Plain HTML with no script, no outside resources, and a
/// Content-Security-Policy that forbids both, so the pages cannot be made to run anything.
/// </summary>
public static class SignInPages
{
    public static Task WriteAsync(HttpContext context, int status, string title, string bodyHtml)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";
        response.Headers["X-Frame-Options"] = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        var page = new StringBuilder()
            .Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").Append(Html(title)).Append("</title>")
            .Append("<style>body{font-family:sans-serif;max-width:40em;margin:3em auto}dt{font-weight:bold}button{margin-right:1em}</style></head>\n")
            .Append("<body><h1>").Append(Html(title)).Append("</h1>\n").Append(bodyHtml).Append("</body></html>\n");
        return response.WriteAsync(page.ToString(), context.RequestAborted);
    }

    public static Task MessageAsync(HttpContext context, int status, string title, string message)
        => WriteAsync(context, status, title, "<p>" + Html(message) + "</p>\n");

    /// <summary>What is being approved: the SSH client's address, its key, when the code ends, and who approves.</summary>
    public static Task ConfirmCodeAsync(HttpContext context, SignInCode code, SignInSession session, string formToken)
    {
        var body = new StringBuilder()
            .Append("<p>An SSH client is asking to sign in as you. Confirm only if you started it.</p>\n<dl>\n")
            .Append("<dt>Signed in as</dt><dd>").Append(Html(session.Email ?? session.Subject)).Append("</dd>\n")
            .Append("<dt>Source address</dt><dd>").Append(Html(code.Source)).Append("</dd>\n")
            .Append("<dt>Key fingerprint</dt><dd><code>").Append(Html(code.KeyFingerprint)).Append("</code></dd>\n")
            .Append("<dt>Protocol</dt><dd>ssh</dd>\n")
            .Append("<dt>Code issued</dt><dd>").Append(Time(code.IssuedAt)).Append("</dd>\n")
            .Append("<dt>Code expires</dt><dd>").Append(Time(code.ExpiresAt)).Append("</dd>\n")
            .Append("<dt>The key stays signed in until</dt><dd>").Append(Time(session.ExpiresAt)).Append("</dd>\n</dl>\n")
            .Append("<form method=\"post\" action=\"").Append(SignInPaths.SignIn).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"").Append(SignInPaths.UserCodeParameter).Append("\" value=\"").Append(Html(code.Code)).Append("\">\n")
            .Append("<input type=\"hidden\" name=\"token\" value=\"").Append(Html(formToken)).Append("\">\n")
            .Append("<button type=\"submit\" name=\"confirm\" value=\"true\" id=\"confirm\">Confirm</button>")
            .Append("<button type=\"submit\" name=\"confirm\" value=\"false\" id=\"deny\">Deny</button>\n</form>\n");
        return WriteAsync(context, StatusCodes.Status200OK, "Sign in an SSH client", body.ToString());
    }

    public static Task SignedInAsync(HttpContext context, SignInSession session)
        => WriteAsync(context, StatusCodes.Status200OK, "Signed in",
            "<p>Signed in as " + Html(session.Email ?? session.Subject) + " until " + Time(session.ExpiresAt) + ".</p>\n" +
            "<form method=\"post\" action=\"" + SignInPaths.SignOut + "\"><button type=\"submit\" id=\"sign-out\">Sign out</button></form>\n");

    private static string Time(DateTimeOffset t) => Html(t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture));

    public static string Html(string text) => WebUtility.HtmlEncode(text);
}
