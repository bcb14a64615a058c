# Copyright (c) HaCluster contributors. MIT License.
# Turns an about_*.md page (PowerShell-Docs about-topic schema) into the about_*.help.txt that Get-Help reads.

function Format-AboutInline([string] $Text) {
    # Plain text has no markup: code spans and emphasis lose their marks, links keep text and address.
    $Text = [regex]::Replace($Text, '\[(?<text>[^\]]+)\]\((?<uri>[^)]+)\)', '${text} (${uri})')
    $Text -replace '`|\*\*|__', ''
}

function Format-AboutWrapped([string] $Text, [int] $Indent, [int] $Width = 80) {
    # Word-wraps one paragraph to $Width columns at $Indent; list items hang under their text.
    $first = ' ' * $Indent
    $rest = if ($Text -match '^- ') { ' ' * ($Indent + 2) } else { $first }
    $line = $first
    foreach ($word in $Text -split '\s+' | Where-Object { $_ }) {
        if ($line.Trim() -and $line.Length + 1 + $word.Length -gt $Width) { $line.TrimEnd(); $line = $rest }
        $line += $(if ($line.Trim()) { ' ' } else { '' }) + $word
    }
    if ($line.Trim()) { $line.TrimEnd() }
}

function Build-AboutHelp {
    <#
    .SYNOPSIS
        Writes <OutputPath> (about_*.help.txt) from one about-topic markdown page.
    .DESCRIPTION
        "# about_X" becomes the TOPIC, each "## Heading" an upper-case section at column 0 with its text at
        4 spaces, each "### Heading" a sub-heading at 4 with its text at 8; paragraphs and list items are
        wrapped at 80 columns, code fences are kept verbatim and indented one more level.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $OutputPath
    )

    $lines = (Get-Content -Raw -Path $Path) -replace "`r`n", "`n" -split "`n"
    $out = [System.Collections.Generic.List[string]]::new()
    $paragraph = [System.Collections.Generic.List[string]]::new()
    $indent = 4; $inFence = $false; $inFrontMatter = $false

    $flush = {
        if ($paragraph.Count) {
            foreach ($wrapped in Format-AboutWrapped (Format-AboutInline ($paragraph -join ' ')) $indent) { $out.Add($wrapped) }
            $paragraph.Clear()
        }
    }
    $separate = { if ($out.Count -and $out[$out.Count - 1] -ne '') { $out.Add('') } }

    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($i -eq 0 -and $line -eq '---') { $inFrontMatter = $true; continue }
        if ($inFrontMatter) { if ($line -eq '---') { $inFrontMatter = $false }; continue }
        if ($line -match '^```') {
            & $flush
            if (-not $inFence) { & $separate }
            $inFence = -not $inFence
            continue
        }
        if ($inFence) { $out.Add($(if ($line.Trim()) { (' ' * ($indent + 4)) + $line } else { '' })); continue }

        if ($line -match '^# (?<topic>\S+)\s*$') { & $flush; $out.Add('TOPIC'); $out.Add("    $($Matches.topic)"); continue }
        if ($line -match '^## (?<h>.+?)\s*$') { & $flush; & $separate; $out.Add($Matches.h.ToUpperInvariant()); $indent = 4; continue }
        if ($line -match '^### (?<h>.+?)\s*$') { & $flush; & $separate; $out.Add("    $(Format-AboutInline $Matches.h)"); $indent = 8; continue }
        if (-not $line.Trim()) { & $flush; & $separate; continue }
        # A list item starts a new paragraph of its own.
        if ($line -match '^- ') { & $flush }
        $paragraph.Add($line.Trim())
    }
    & $flush
    while ($out.Count -and $out[$out.Count - 1] -eq '') { $out.RemoveAt($out.Count - 1) }

    New-Item -ItemType Directory -Force -Path (Split-Path $OutputPath) | Out-Null
    [System.IO.File]::WriteAllText($OutputPath, ($out -join [Environment]::NewLine) + [Environment]::NewLine, [System.Text.UTF8Encoding]::new($false))
}
