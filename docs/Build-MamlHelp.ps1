# Copyright (c) HaCluster contributors. MIT License.
# Turns the platyPS-schema (v0.14) markdown pages in docs/ into MAML, the XML that Get-Help reads.

# Syntax and parameter metadata come from the loaded cmdlets (as platyPS does); text comes from the markdown.
# The SYNTAX fences and the yaml blocks in the markdown are for readers of the markdown and are not trusted.

$script:MamlNamespaces = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

$script:CommonParameterNames = [System.Management.Automation.Cmdlet]::CommonParameters +
    [System.Management.Automation.Cmdlet]::OptionalCommonParameters

function ConvertFrom-HelpMarkdown {
    # Splits one page into its sections. Returns a hashtable: Name, Synopsis, Description, Examples,
    # Parameters (name → description), Inputs, Outputs, Notes, Links.
    param([Parameter(Mandatory)] [string] $Path)

    $lines = (Get-Content -Raw -Path $Path) -replace "`r`n", "`n" -split "`n"
    $page = @{ Name = $null; Synopsis = ''; Description = ''; Examples = @(); Parameters = @{}; Inputs = @(); Outputs = @(); Notes = ''; Links = @() }
    $section = $null; $sub = $null; $buffer = [System.Collections.Generic.List[string]]::new()
    $inFence = $false; $inFrontMatter = $false

    $flush = {
        $text = ($buffer -join "`n").Trim()
        switch ($section) {
            'SYNOPSIS' { $page.Synopsis = $text }
            'DESCRIPTION' { $page.Description = $text }
            'EXAMPLES' { if ($sub) { $page.Examples += , @{ Title = $sub; Body = $text } } }
            'PARAMETERS' { if ($sub -and $sub -ne 'CommonParameters') { $page.Parameters[$sub.TrimStart('-')] = $text } }
            'INPUTS' { if ($sub) { $page.Inputs += , @{ Type = $sub; Text = $text } } }
            'OUTPUTS' { if ($sub) { $page.Outputs += , @{ Type = $sub; Text = $text } } }
            'NOTES' { $page.Notes = $text }
            'RELATED LINKS' {
                foreach ($m in [regex]::Matches($text, '\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)')) {
                    $page.Links += , @{ Text = $m.Groups['text'].Value; Uri = $m.Groups['uri'].Value }
                }
            }
        }
        $buffer.Clear()
    }

    for ($i = 0; $i -lt $lines.Count; $i++) {
        $line = $lines[$i]
        if ($i -eq 0 -and $line -eq '---') { $inFrontMatter = $true; continue }
        if ($inFrontMatter) { if ($line -eq '---') { $inFrontMatter = $false }; continue }
        if ($line -match '^```') { $inFence = -not $inFence; $buffer.Add($line); continue }
        if (-not $inFence) {
            if ($line -match '^# (?<name>\S+)\s*$' -and -not $page.Name) { $page.Name = $Matches.name; continue }
            if ($line -match '^## (?<h>.+?)\s*$') { & $flush; $section = $Matches.h.ToUpperInvariant(); $sub = $null; continue }
            if ($line -match '^### (?<h>.+?)\s*$') { & $flush; $sub = $Matches.h; continue }
        }
        $buffer.Add($line)
    }
    & $flush
    $page
}

function Split-ExampleBody {
    # An example is prose around one or more code fences: code → dev:code, prose → remarks.
    param([string] $Body)
    $code = [System.Collections.Generic.List[string]]::new()
    $remarks = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    foreach ($line in $Body -split "`n") {
        if ($line -match '^```') { $inFence = -not $inFence; continue }
        if ($inFence) { $code.Add($line) } else { $remarks.Add($line) }
    }
    @{ Code = ($code -join "`n").Trim(); Remarks = ($remarks -join "`n").Trim() }
}

function Get-ParagraphList([string] $Text) {
    # Blank-line separated paragraphs; yaml blocks (parameter metadata) are dropped.
    $withoutYaml = [regex]::Replace($Text, '(?ms)^```yaml.*?^```', '')
    @($withoutYaml -split "\n\s*\n" | ForEach-Object { ($_ -split "\n" | ForEach-Object Trim) -join ' ' } | Where-Object { $_ })
}

function Write-Paragraphs([System.Xml.XmlWriter] $Writer, [string] $Text) {
    $Writer.WriteStartElement('maml', 'description', $MamlNamespaces.maml)
    foreach ($paragraph in Get-ParagraphList $Text) { $Writer.WriteElementString('maml', 'para', $MamlNamespaces.maml, $paragraph) }
    $Writer.WriteEndElement()
}

function Get-PipelineInput([System.Management.Automation.ParameterMetadata] $Parameter) {
    $byValue = $false; $byName = $false
    foreach ($set in $Parameter.ParameterSets.Values) {
        $byValue = $byValue -or $set.ValueFromPipeline
        $byName = $byName -or $set.ValueFromPipelineByPropertyName
    }
    if ($byValue -and $byName) { 'True (ByPropertyName, ByValue)' }
    elseif ($byValue) { 'True (ByValue)' }
    elseif ($byName) { 'True (ByPropertyName)' }
    else { 'False' }
}

function Write-MamlParameter {
    param(
        [System.Xml.XmlWriter] $Writer,
        [System.Management.Automation.CommandParameterInfo] $SetParameter,
        [System.Management.Automation.ParameterMetadata] $Parameter,
        [string] $Description
    )
    $isSwitch = $Parameter.SwitchParameter
    $position = if ($SetParameter -and $SetParameter.Position -ge 0) { [string]$SetParameter.Position } else { 'named' }
    $required = if ($SetParameter) { $SetParameter.IsMandatory } else { @($Parameter.ParameterSets.Values | Where-Object IsMandatory).Count -gt 0 }
    $globbing = @($Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
    $aliases = if ($Parameter.Aliases.Count) { $Parameter.Aliases -join ', ' } else { 'none' }

    $Writer.WriteStartElement('command', 'parameter', $MamlNamespaces.command)
    $Writer.WriteAttributeString('required', $required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', ($Parameter.ParameterType.IsArray).ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineInput $Parameter))
    $Writer.WriteAttributeString('position', $position)
    $Writer.WriteAttributeString('aliases', $aliases)
    $Writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $Parameter.Name)
    Write-Paragraphs $Writer $Description
    $validateSet = $Parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($validateSet) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $MamlNamespaces.command)
        foreach ($value in $validateSet.ValidValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $MamlNamespaces.command)
            $Writer.WriteAttributeString('required', 'false'); $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString($value); $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    $typeName = $Parameter.ParameterType.Name
    if (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $MamlNamespaces.command)
        $Writer.WriteAttributeString('required', 'true'); $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($typeName); $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $MamlNamespaces.dev)
    $Writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $Parameter.ParameterType.FullName)
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $MamlNamespaces.dev, $(if ($isSwitch) { 'False' } else { 'None' }))
    $Writer.WriteEndElement()
}

function Build-MamlHelp {
    <#
    .SYNOPSIS
        Writes <OutputPath> (MAML) for every cmdlet of -Module that has a page in -DocsPath.
    #>
    param(
        [Parameter(Mandatory)] [string] $DocsPath,
        [Parameter(Mandatory)] [string] $OutputPath,
        [Parameter(Mandatory)] [System.Management.Automation.PSModuleInfo] $Module
    )

    $pages = @{}
    foreach ($file in Get-ChildItem $DocsPath -Filter *.md | Where-Object Name -NotLike 'about_*') {
        $page = ConvertFrom-HelpMarkdown -Path $file.FullName
        if ($page.Name) { $pages[$page.Name] = $page }
    }

    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    New-Item -ItemType Directory -Force -Path (Split-Path $OutputPath) | Out-Null
    $writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($command in $Module.ExportedCmdlets.Values | Sort-Object Name) {
            $page = $pages[$command.Name]
            if (-not $page) { Write-Warning "No help page docs/$($command.Name).md"; continue }

            $writer.WriteStartElement('command', 'command', $MamlNamespaces.command)
            $writer.WriteAttributeString('xmlns', 'maml', $null, $MamlNamespaces.maml)
            $writer.WriteAttributeString('xmlns', 'command', $null, $MamlNamespaces.command)
            $writer.WriteAttributeString('xmlns', 'dev', $null, $MamlNamespaces.dev)

            $writer.WriteStartElement('command', 'details', $MamlNamespaces.command)
            $writer.WriteElementString('command', 'name', $MamlNamespaces.command, $command.Name)
            Write-Paragraphs $writer $page.Synopsis
            $writer.WriteElementString('command', 'verb', $MamlNamespaces.command, $command.Verb)
            $writer.WriteElementString('command', 'noun', $MamlNamespaces.command, $command.Noun)
            $writer.WriteEndElement()

            Write-Paragraphs $writer $page.Description

            $writer.WriteStartElement('command', 'syntax', $MamlNamespaces.command)
            foreach ($set in $command.ParameterSets) {
                $writer.WriteStartElement('command', 'syntaxItem', $MamlNamespaces.command)
                $writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $command.Name)
                foreach ($setParameter in $set.Parameters | Where-Object Name -NotIn $CommonParameterNames) {
                    Write-MamlParameter $writer $setParameter $command.Parameters[$setParameter.Name] $page.Parameters[$setParameter.Name]
                }
                $writer.WriteEndElement()
            }
            $writer.WriteEndElement()

            $writer.WriteStartElement('command', 'parameters', $MamlNamespaces.command)
            # .get_Values(): a parameter named "Values" (Install-HaKubeSphere) would shadow the property.
            foreach ($parameter in $command.Parameters.get_Values() | Where-Object Name -NotIn $CommonParameterNames | Sort-Object Name) {
                # Position and mandatory-ness as declared in the first set that has the parameter.
                $setParameter = $command.ParameterSets.Parameters | Where-Object Name -EQ $parameter.Name | Select-Object -First 1
                Write-MamlParameter $writer $setParameter $parameter $page.Parameters[$parameter.Name]
            }
            # -WhatIf/-Confirm are optional common parameters: document them when the page does.
            foreach ($name in 'WhatIf', 'Confirm') {
                if ($command.Parameters.ContainsKey($name) -and $page.Parameters.ContainsKey($name)) {
                    Write-MamlParameter $writer $null $command.Parameters[$name] $page.Parameters[$name]
                }
            }
            $writer.WriteEndElement()

            foreach ($kind in @(@{ List = 'inputTypes'; Item = 'inputType'; Entries = $page.Inputs }, @{ List = 'returnValues'; Item = 'returnValue'; Entries = $page.Outputs })) {
                $writer.WriteStartElement('command', $kind.List, $MamlNamespaces.command)
                foreach ($entry in $kind.Entries) {
                    $writer.WriteStartElement('command', $kind.Item, $MamlNamespaces.command)
                    $writer.WriteStartElement('dev', 'type', $MamlNamespaces.dev)
                    $writer.WriteElementString('maml', 'name', $MamlNamespaces.maml, $entry.Type)
                    $writer.WriteEndElement()
                    Write-Paragraphs $writer $entry.Text
                    $writer.WriteEndElement()
                }
                $writer.WriteEndElement()
            }

            $writer.WriteStartElement('maml', 'alertSet', $MamlNamespaces.maml)
            $writer.WriteStartElement('maml', 'alert', $MamlNamespaces.maml)
            foreach ($paragraph in Get-ParagraphList $page.Notes) { $writer.WriteElementString('maml', 'para', $MamlNamespaces.maml, $paragraph) }
            $writer.WriteEndElement(); $writer.WriteEndElement()

            $writer.WriteStartElement('command', 'examples', $MamlNamespaces.command)
            foreach ($example in $page.Examples) {
                $parts = Split-ExampleBody $example.Body
                $writer.WriteStartElement('command', 'example', $MamlNamespaces.command)
                $writer.WriteElementString('maml', 'title', $MamlNamespaces.maml, "-------------------------- $($example.Title) --------------------------")
                $writer.WriteElementString('dev', 'code', $MamlNamespaces.dev, $parts.Code)
                $writer.WriteStartElement('dev', 'remarks', $MamlNamespaces.dev)
                foreach ($paragraph in Get-ParagraphList $parts.Remarks) { $writer.WriteElementString('maml', 'para', $MamlNamespaces.maml, $paragraph) }
                $writer.WriteEndElement()
                $writer.WriteEndElement()
            }
            $writer.WriteEndElement()

            $writer.WriteStartElement('command', 'relatedLinks', $MamlNamespaces.command)
            foreach ($link in $page.Links) {
                $writer.WriteStartElement('maml', 'navigationLink', $MamlNamespaces.maml)
                $writer.WriteElementString('maml', 'linkText', $MamlNamespaces.maml, $link.Text)
                $writer.WriteElementString('maml', 'uri', $MamlNamespaces.maml, $link.Uri)
                $writer.WriteEndElement()
            }
            $writer.WriteEndElement()

            $writer.WriteEndElement() # command:command
        }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
}
