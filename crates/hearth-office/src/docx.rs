//! A small WordprocessingML (.docx) writer for the forms offices print, sign and stamp: A4 with
//! the margins of official documents (GB/T 9704), 宋体 body, 黑体 headings, paragraphs, bold runs
//! and bordered tables, page numbers in the footer. Only what the forms need; every text that
//! enters the XML goes through [`escape`].

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::OfficeError;

/// A4 in twips (1/20 point).
const PAGE_WIDTH: u32 = 11906;
const PAGE_HEIGHT: u32 = 16838;
/// GB/T 9704 margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
const MARGIN_TOP: u32 = 2098;
const MARGIN_BOTTOM: u32 = 1984;
const MARGIN_LEFT: u32 = 1587;
const MARGIN_RIGHT: u32 = 1474;
/// The width tables fill.
const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;

const W_NS: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const XML_DECL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// The paragraph styles defined in `word/styles.xml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// 黑体 二号, centered.
    Title,
    /// 宋体 四号, centered under the title.
    Subtitle,
    /// 黑体 三号, kept with what follows.
    Heading,
    /// 宋体 四号.
    Body,
    /// 宋体 小四, single spacing, for table cells and small print.
    Small,
}

impl Style {
    fn id(self) -> &'static str {
        match self {
            Style::Title => "Title",
            Style::Subtitle => "Subtitle",
            Style::Heading => "Heading1",
            Style::Body => "Normal",
            Style::Small => "TableText",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Center,
    Right,
}

impl Align {
    fn value(self) -> &'static str {
        match self {
            Align::Center => "center",
            Align::Right => "right",
        }
    }
}

/// A stretch of text in one weight. Line breaks and tabs in the text are kept.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    text: String,
    bold: bool,
}

impl Run {
    pub fn new(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            bold: false,
        }
    }

    pub fn bold(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            bold: true,
        }
    }

    fn write(&self, out: &mut String) {
        out.push_str("<w:r>");
        if self.bold {
            out.push_str("<w:rPr><w:b/><w:bCs/></w:rPr>");
        }
        for (i, line) in self.text.split('\n').enumerate() {
            if i > 0 {
                out.push_str("<w:br/>");
            }
            for (j, part) in line.split('\t').enumerate() {
                if j > 0 {
                    out.push_str("<w:tab/>");
                }
                if !part.is_empty() {
                    out.push_str(r#"<w:t xml:space="preserve">"#);
                    escape(part, out);
                    out.push_str("</w:t>");
                }
            }
        }
        out.push_str("</w:r>");
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Paragraph {
    style: Style,
    align: Option<Align>,
    indent: bool,
    runs: Vec<Run>,
}

impl Paragraph {
    pub fn new(style: Style) -> Paragraph {
        Paragraph {
            style,
            align: None,
            indent: false,
            runs: Vec::new(),
        }
    }

    /// A paragraph of one plain run.
    pub fn text(style: Style, text: impl Into<String>) -> Paragraph {
        Paragraph::new(style).run(Run::new(text))
    }

    pub fn run(mut self, run: Run) -> Paragraph {
        self.runs.push(run);
        self
    }

    pub fn align(mut self, align: Align) -> Paragraph {
        self.align = Some(align);
        self
    }

    /// Indents the first line by two characters, as Chinese body text is set.
    pub fn first_line_indent(mut self) -> Paragraph {
        self.indent = true;
        self
    }

    fn write(&self, out: &mut String) {
        out.push_str("<w:p><w:pPr>");
        out.push_str(&format!(r#"<w:pStyle w:val="{}"/>"#, self.style.id()));
        if self.indent {
            out.push_str(r#"<w:ind w:firstLineChars="200" w:firstLine="560"/>"#);
        }
        if let Some(align) = self.align {
            out.push_str(&format!(r#"<w:jc w:val="{}"/>"#, align.value()));
        }
        out.push_str("</w:pPr>");
        for run in &self.runs {
            run.write(out);
        }
        out.push_str("</w:p>");
    }
}

/// A table cell: one or more paragraphs, spanning one or more grid columns.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    paragraphs: Vec<Paragraph>,
    span: usize,
    shaded: bool,
}

impl Cell {
    pub fn new(paragraphs: Vec<Paragraph>) -> Cell {
        Cell {
            paragraphs,
            span: 1,
            shaded: false,
        }
    }

    /// A value cell in small print.
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::new(vec![Paragraph::text(Style::Small, text)])
    }

    /// A label or column header: bold, centered, on a light grey ground.
    pub fn label(text: impl Into<String>) -> Cell {
        let paragraph = Paragraph::new(Style::Small)
            .align(Align::Center)
            .run(Run::bold(text));
        Cell {
            shaded: true,
            ..Cell::new(vec![paragraph])
        }
    }

    pub fn span(mut self, columns: usize) -> Cell {
        self.span = columns.max(1);
        self
    }

    fn write(&self, width: u32, out: &mut String) {
        out.push_str(&format!(
            r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>"#
        ));
        if self.span > 1 {
            out.push_str(&format!(r#"<w:gridSpan w:val="{}"/>"#, self.span));
        }
        if self.shaded {
            out.push_str(r#"<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>"#);
        }
        out.push_str(r#"<w:vAlign w:val="center"/></w:tcPr>"#);
        for paragraph in &self.paragraphs {
            paragraph.write(out);
        }
        // A cell must end with a paragraph, even an empty one.
        if self.paragraphs.is_empty() {
            Paragraph::new(Style::Small).write(out);
        }
        out.push_str("</w:tc>");
    }
}

/// A table filling the text width, bordered unless said otherwise; its first row, when
/// given with [`Table::header`], repeats on every page the table runs over.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    widths: Vec<u32>,
    header: Option<Vec<Cell>>,
    rows: Vec<Vec<Cell>>,
    borders: bool,
}

impl Table {
    /// Columns sized in proportion to `weights`.
    pub fn new(weights: &[u32]) -> Table {
        let sum = weights.iter().sum::<u32>().max(1);
        Table {
            widths: weights.iter().map(|w| TEXT_WIDTH * w / sum).collect(),
            header: None,
            rows: Vec::new(),
            borders: true,
        }
    }

    pub fn borderless(mut self) -> Table {
        self.borders = false;
        self
    }

    pub fn header(mut self, cells: Vec<Cell>) -> Table {
        self.header = Some(cells);
        self
    }

    pub fn row(mut self, cells: Vec<Cell>) -> Table {
        self.rows.push(cells);
        self
    }

    fn write(&self, out: &mut String) {
        let border = if self.borders {
            r#"w:val="single" w:sz="4" w:space="0" w:color="000000""#
        } else {
            r#"w:val="nil""#
        };
        let width: u32 = self.widths.iter().sum();
        out.push_str(&format!(
            r#"<w:tbl><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>"#
        ));
        for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
            out.push_str(&format!("<w:{side} {border}/>"));
        }
        out.push_str(r#"</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#);
        for width in &self.widths {
            out.push_str(&format!(r#"<w:gridCol w:w="{width}"/>"#));
        }
        out.push_str("</w:tblGrid>");
        if let Some(header) = &self.header {
            self.write_row(header, true, out);
        }
        for row in &self.rows {
            self.write_row(row, false, out);
        }
        out.push_str("</w:tbl>");
    }

    fn write_row(&self, cells: &[Cell], header: bool, out: &mut String) {
        out.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            out.push_str("<w:tblHeader/>");
        }
        out.push_str("</w:trPr>");
        let mut column = 0;
        for cell in cells {
            let end = (column + cell.span).min(self.widths.len());
            let width = self.widths.get(column..end).unwrap_or(&[]).iter().sum();
            cell.write(width, out);
            column = end;
        }
        out.push_str("</w:tr>");
    }
}

/// A document being written: paragraphs and tables in order, then [`Document::finish`].
#[derive(Debug, Clone)]
pub(crate) struct Document {
    title: String,
    body: String,
}

impl Document {
    /// `title` goes into the file's properties (what Explorer and WPS show as 标题).
    pub fn new(title: impl Into<String>) -> Document {
        Document {
            title: title.into(),
            body: String::new(),
        }
    }

    pub fn paragraph(&mut self, paragraph: Paragraph) {
        paragraph.write(&mut self.body);
    }

    pub fn table(&mut self, table: &Table) {
        table.write(&mut self.body);
    }

    /// The .docx file: the package parts zipped, `[Content_Types].xml` first.
    pub fn finish(self) -> Result<Vec<u8>, OfficeError> {
        let parts = [
            ("[Content_Types].xml", CONTENT_TYPES.to_owned()),
            ("_rels/.rels", PACKAGE_RELS.to_owned()),
            ("docProps/core.xml", self.core_properties()),
            ("docProps/app.xml", APP_PROPERTIES.to_owned()),
            ("word/document.xml", self.document()),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_owned()),
            ("word/styles.xml", STYLES.to_owned()),
            ("word/fontTable.xml", FONT_TABLE.to_owned()),
            ("word/footer1.xml", FOOTER.to_owned()),
        ];
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, xml) in parts {
            zip.start_file(name, options)?;
            zip.write_all(xml.as_bytes())?;
        }
        Ok(zip.finish()?.into_inner())
    }

    fn document(&self) -> String {
        let mut out =
            format!(r#"{XML_DECL}<w:document xmlns:w="{W_NS}" xmlns:r="{R_NS}"><w:body>"#);
        out.push_str(&self.body);
        out.push_str(&format!(
            concat!(
                r#"<w:sectPr><w:footerReference w:type="default" r:id="rId3"/>"#,
                r#"<w:pgSz w:w="{}" w:h="{}"/>"#,
                r#"<w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="851" w:footer="992" w:gutter="0"/>"#,
                r#"</w:sectPr></w:body></w:document>"#
            ),
            PAGE_WIDTH, PAGE_HEIGHT, MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT
        ));
        out
    }

    fn core_properties(&self) -> String {
        let mut title = String::new();
        escape(&self.title, &mut title);
        format!(
            concat!(
                r#"{}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
                r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
                r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
                r#"<dc:title>{}</dc:title><dc:creator>Hearth</dc:creator></cp:coreProperties>"#
            ),
            XML_DECL, title
        )
    }
}

/// Writes `text` as XML character data: markup characters escaped, and characters XML 1.0
/// cannot carry (control characters pasted from other programs) left out, so that no input
/// can make the file unreadable.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'.. => out.push(c),
            _ => {}
        }
    }
}

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="xml" ContentType="application/xml"/>"#,
    r#"<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>"#,
    r#"<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
    r#"<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>"#,
    r#"<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>"#,
    r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#,
    r#"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
    r#"</Types>"#
);

const PACKAGE_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#,
    r#"</Relationships>"#
);

const DOCUMENT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/fontTable" Target="fontTable.xml"/>"#,
    r#"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer" Target="footer1.xml"/>"#,
    r#"</Relationships>"#
);

const APP_PROPERTIES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" "#,
    r#"xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#,
    r#"<Application>Hearth</Application></Properties>"#
);

/// Sizes are in half-points: 44 = 二号 (22 pt), 32 = 三号, 28 = 四号, 24 = 小四.
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:docDefaults><w:rPrDefault><w:rPr>"#,
    r#"<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman" w:cs="Times New Roman"/>"#,
    r#"<w:kern w:val="2"/><w:sz w:val="28"/><w:szCs w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>"#,
    r#"</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#,
    r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>"#,
    r#"<w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Subtitle"/><w:qFormat/>"#,
    r#"<w:pPr><w:spacing w:before="240" w:after="120"/><w:jc w:val="center"/></w:pPr>"#,
    r#"<w:rPr><w:rFonts w:ascii="黑体" w:eastAsia="黑体" w:hAnsi="黑体"/><w:b/><w:bCs/><w:sz w:val="44"/><w:szCs w:val="44"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>"#,
    r#"<w:pPr><w:spacing w:after="240"/><w:jc w:val="center"/></w:pPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/>"#,
    r#"<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:jc w:val="left"/><w:outlineLvl w:val="0"/></w:pPr>"#,
    r#"<w:rPr><w:rFonts w:ascii="黑体" w:eastAsia="黑体" w:hAnsi="黑体"/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>"#,
    r#"<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:qFormat/>"#,
    r#"<w:pPr><w:spacing w:line="240" w:lineRule="auto"/><w:jc w:val="left"/></w:pPr>"#,
    r#"<w:rPr><w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr></w:style>"#,
    r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>"#,
    r#"<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>"#,
    r#"<w:bottom w:w="57" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#,
    r#"</w:styles>"#
);

/// The fonts by their Chinese names, with the English names Windows and fontconfig also know
/// them by, so LibreOffice and WPS on any system find them.
const FONT_TABLE: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">"#,
    r#"<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>"#,
    r#"<w:font w:name="黑体"><w:altName w:val="SimHei"/><w:charset w:val="86"/><w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>"#,
    r#"<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>"#,
    r#"</w:fonts>"#
);

/// The page number centered in the footer, `— 1 —` as official documents print it.
const FOOTER: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" "#,
    r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r>"#,
    r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>"#,
    r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>"#,
    r#"<w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#
);

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        escape(text, &mut out);
        out
    }

    #[test]
    fn markup_is_escaped_and_unwritable_characters_dropped() {
        assert_eq!(
            escaped(r#"<李&王> "社" '区'"#),
            "&lt;李&amp;王&gt; &quot;社&quot; &apos;区&apos;"
        );
        assert_eq!(escaped("甲\u{0}乙\u{1b}丙\r\u{FFFE}"), "甲乙丙");
        assert_eq!(escaped("一\t二\n三😀"), "一\t二\n三😀");
    }

    #[test]
    fn line_breaks_and_tabs_become_word_breaks() {
        let mut out = String::new();
        Run::new("甲\n乙\t丙").write(&mut out);
        assert_eq!(
            out,
            concat!(
                r#"<w:r><w:t xml:space="preserve">甲</w:t><w:br/>"#,
                r#"<w:t xml:space="preserve">乙</w:t><w:tab/><w:t xml:space="preserve">丙</w:t></w:r>"#
            )
        );
    }

    #[test]
    fn spanned_cells_take_the_width_of_their_columns() {
        let table = Table::new(&[1, 1, 2]).row(vec![Cell::text("a").span(2), Cell::text("b")]);
        let mut out = String::new();
        table.write(&mut out);
        let half = TEXT_WIDTH / 2;
        let quarter = TEXT_WIDTH / 4;
        assert!(out.contains(&format!(
            r#"<w:tcW w:w="{}" w:type="dxa"/><w:gridSpan w:val="2"/>"#,
            quarter * 2
        )));
        assert!(out.contains(&format!(r#"<w:tcW w:w="{half}" w:type="dxa"/><w:vAlign"#)));
    }
}
