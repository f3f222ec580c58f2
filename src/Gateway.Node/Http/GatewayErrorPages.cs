using System.Net;
using Microsoft.AspNetCore.Http;

namespace Gateway.Node.Http;

/// <summary>
/// The short pages the gateway answers with itself. A page tells an anonymous visitor only what
/// they may know: the status, a short generic reason and the request id. Details (upstream
/// addresses, SOCKS and socket errors) go to the node's log under that id, and to the status
/// stream of the tunnel's owner.
/// </summary>
public static class GatewayErrorPages
{
    public static Task WriteAsync(HttpContext context, int status, string message)
        => WriteAsync(context, status, message, context.RequestAborted);

    public static Task WriteAsync(HttpContext context, int status, string message, CancellationToken ct)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        var title = $"{status} {ReasonPhrase(status)}";
        var page =
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + WebUtility.HtmlEncode(title) + "</title></head>\n" +
            "<body><h1>" + WebUtility.HtmlEncode(title) + "</h1>\n<p>" + WebUtility.HtmlEncode(message) + "</p>\n" +
            "<p>Request id: <code>" + WebUtility.HtmlEncode(RequestId(context)) + "</code></p></body></html>\n";
        return response.WriteAsync(page, ct);
    }

    /// <summary>The id a page shows and the log names: Kestrel's per-request trace identifier.</summary>
    public static string RequestId(HttpContext context) => context.TraceIdentifier;

    public static string HostOf(HttpContext context) => context.Request.Host.Host is { Length: > 0 } host ? host : "this host";

    private static string ReasonPhrase(int status) => status switch
    {
        401 => "Unauthorized",
        404 => "Not Found",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };
}
